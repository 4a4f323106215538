import { expect } from 'chai';
import { nextLink } from '../../src/lti/nrps-client.js';
import { isLearner } from '../../src/candidates/roster-sync.service.js';

describe('NRPS paging and roles', () => {
  it('when a Link header names a next page, then its URL is found among other relations', () => {
    expect(nextLink('<https://lms/x?page=2>; rel="next"')).to.equal('https://lms/x?page=2');
    expect(
      nextLink('<https://lms/x?page=1>; rel="first", <https://lms/x?page=3>; rel="next", <https://lms/x?page=9>; rel="last"'),
    ).to.equal('https://lms/x?page=3');
    expect(nextLink('<https://lms/x?a=1,2>; rel=next')).to.equal('https://lms/x?a=1,2');
    expect(nextLink('<https://lms/x?page=2>; rel="prev next"')).to.equal('https://lms/x?page=2');
  });

  it('when there is no next page, then there is no URL', () => {
    expect(nextLink(null)).to.equal(null);
    expect(nextLink('<https://lms/x?page=1>; rel="first"')).to.equal(null);
    expect(nextLink('<https://lms/x?page=1>; rel="nextish"')).to.equal(null);
  });

  it('when roles are read, then learners are found in every spelling and nobody else counts', () => {
    expect(isLearner(['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'])).to.equal(true);
    expect(isLearner(['Learner'])).to.equal(true);
    expect(isLearner(['http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#NonCreditLearner'])).to.equal(true);
    expect(isLearner(['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'])).to.equal(false);
    expect(isLearner(['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Learner'])).to.equal(false);
    expect(isLearner(['http://example.com/roles#Learner'])).to.equal(false);
    expect(isLearner([])).to.equal(false);
  });
});
