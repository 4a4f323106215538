import { expect } from 'chai';
import { audienceOf } from '../../src/lti/roles.js';

describe('roles → audience', () => {
  const cases: Array<[string[], string]> = [
    [['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'], 'staff'],
    [['Instructor'], 'staff'],
    [['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant'], 'staff'],
    [['http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper'], 'staff'],
    [['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator'], 'admin'],
    [['http://purl.imsglobal.org/vocab/lis/v2/system/person#SysAdmin', 'Learner'], 'admin'],
    [['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], 'learner'],
    [['http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor'], 'learner'],
    [[], 'learner'],
    [['urn:example:Wizard'], 'learner'],
  ];
  for (const [roles, audience] of cases) {
    it(`when roles are ${JSON.stringify(roles)}, then the audience is ${audience}`, () => {
      expect(audienceOf(roles)).to.equal(audience);
    });
  }
});
