import { expect } from 'chai';
import { CandidateIdAllocator, anonymousId, candidateIdFor, cleanText } from '../../src/candidates/candidate-ids.js';

describe('candidate IDs', () => {
  const person = { userId: 'lms-42', name: 'Ada Lovelace', email: 'ada@example.edu', sisId: 'S-0042' };

  it('when a policy is applied, then the ID comes from the field it names', () => {
    expect(candidateIdFor('lms_id', person)).to.deep.equal({ id: 'lms-42', fellBack: false });
    expect(candidateIdFor('sis_id', person).id).to.equal('S-0042');
    expect(candidateIdFor('email', person).id).to.equal('ada@example.edu');
    expect(candidateIdFor('full_name', person).id).to.equal('Ada Lovelace');
    expect(anonymousId(7)).to.equal('0007');
    expect(anonymousId(12345)).to.equal('12345');
  });

  it('when the LMS did not send the field the policy asks for, then the LMS id stands in and says so', () => {
    expect(candidateIdFor('email', { userId: 'lms-1', name: null, email: null, sisId: null })).to.deep.equal({
      id: 'lms-1',
      fellBack: true,
    });
  });

  it('when IDs clash, then the allocator appends (2), (3) and keeps within 500 characters', () => {
    const allocator = new CandidateIdAllocator(['Ada']);
    expect(allocator.claim('Ada')).to.equal('Ada (2)');
    expect(allocator.claim('Ada')).to.equal('Ada (3)');
    const long = 'x'.repeat(500);
    const longer = new CandidateIdAllocator([long]).claim(long);
    expect(Array.from(longer)).to.have.length(500);
    expect(longer.endsWith(' (2)')).to.equal(true);
  });

  it('when text is cleaned, then it is NFC, free of control characters, trimmed, cut by characters not bytes', () => {
    expect(cleanText('  Ze\u0301nobe\u0007 ', 100)).to.equal('Z\u00e9nobe');
    expect(cleanText('\u0000\t', 100)).to.equal(null);
    expect(cleanText(undefined, 100)).to.equal(null);
    expect(cleanText('😀'.repeat(10), 4)).to.equal('😀'.repeat(4));
  });
});
