import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { START_TICKET_SECONDS, StartTicketError, StartTickets } from '../../src/access/start-ticket.js';

describe('start tickets (what the lobby’s Start form carries to the tab it opens)', () => {
  const secret = 's'.repeat(40);
  const tickets = new StartTickets(secret);
  const ticket = { sessionIdHash: 'a'.repeat(64), examId: 'exam-1', candidateId: 'cand-1' };
  const refusal = (token: unknown) => {
    try {
      tickets.read(token);
    } catch (err) {
      expect(err).to.be.instanceOf(StartTicketError);
      return (err as StartTicketError).reason;
    }
    throw new Error('the ticket was accepted');
  };

  it('when a ticket is issued, then it reads back as the session, test and candidate it names, for some minutes', () => {
    const token = tickets.issue(ticket);
    expect(tickets.read(token)).to.deep.equal(ticket);
    const claims = jwt.decode(token, { complete: true })!;
    expect(claims.header.alg).to.equal('HS256');
    expect(claims.payload).to.include({ purpose: 'examgate-start-ticket' });
    const { iat, exp } = claims.payload as { iat: number; exp: number };
    expect(exp - iat).to.equal(START_TICKET_SECONDS);
  });

  it('when SECRET_KEY is rotated, then a ticket of the lobby loaded before the switch still reads, and new ones are signed under the new secret', () => {
    const rotated = new StartTickets(['n'.repeat(40), secret]);
    const before = tickets.issue(ticket);
    expect(rotated.read(before)).to.deep.equal(ticket);
    const after = rotated.issue(ticket);
    expect(new StartTickets('n'.repeat(40)).read(after)).to.deep.equal(ticket);
    expect(() => tickets.read(after)).to.throw(StartTicketError);
    // Once the previous secret is dropped, its tickets are invalid, not expired.
    expect(() => new StartTickets('n'.repeat(40)).read(before))
      .to.throw(StartTicketError)
      .with.property('reason', 'invalid');
  });

  it('when a ticket is missing, empty or not text, then it is missing', () => {
    for (const token of [undefined, '', 42, ['a']]) {
      expect(refusal(token)).to.equal('missing');
    }
  });

  it('when a ticket has expired, then it says so (and not that it is forged)', () => {
    const old = tickets.issue(ticket, Date.now() - (START_TICKET_SECONDS + 5) * 1000);
    expect(refusal(old)).to.equal('expired');
    expect(new StartTicketError('expired').message).to.contain('reload the page and press Start again');
  });

  it('when a ticket is changed, signed with another secret, another algorithm or for another purpose, then it is invalid', () => {
    const token = tickets.issue(ticket);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const otherExam = Buffer.from(JSON.stringify({ ...(jwt.decode(token) as object), exam: 'exam-2' })).toString('base64url');
    expect(refusal(`${header}.${otherExam}.${signature}`)).to.equal('invalid');
    expect(refusal(`${header}.${payload}.${signature.slice(0, -2)}xx`)).to.equal('invalid');
    expect(refusal(new StartTickets('t'.repeat(40)).issue(ticket))).to.equal('invalid');
    // The app secret itself is not the ticket key: a ticket "signed" with it fails too.
    const withAppSecret = jwt.sign(
      { purpose: 'examgate-start-ticket', sid: ticket.sessionIdHash, exam: 'exam-1', cand: 'cand-1' },
      secret,
      {
        algorithm: 'HS256',
        expiresIn: 60,
      },
    );
    expect(refusal(withAppSecret)).to.equal('invalid');
    const unsigned = jwt.sign({ purpose: 'examgate-start-ticket', sid: 'x', exam: 'e', cand: 'c' }, '', { algorithm: 'none' });
    expect(refusal(unsigned)).to.equal('invalid');
    expect(refusal('not.a.ticket')).to.equal('invalid');
    expect(refusal('x'.repeat(5000))).to.equal('invalid');
  });

  it('when a genuine signature covers claims of the wrong shape or purpose, then it is invalid', () => {
    // The key the tickets are really signed with (private), to sign claims issue() would never write.
    const key = (tickets as unknown as { key: Buffer }).key;
    const sign = (claims: object) => jwt.sign(claims, key, { algorithm: 'HS256', expiresIn: 60 });
    expect(refusal(sign({ purpose: 'examgate-handoff', sid: 's', exam: 'e', cand: 'c' }))).to.equal('invalid');
    expect(refusal(sign({ purpose: 'examgate-start-ticket', sid: 's', exam: 7, cand: 'c' }))).to.equal('invalid');
    expect(refusal(sign({ purpose: 'examgate-start-ticket', sid: 's', exam: 'e' }))).to.equal('invalid');
    expect(refusal(jwt.sign({ purpose: 'examgate-start-ticket', sid: 's', exam: 'e', cand: 'c' }, key, { algorithm: 'HS256' }))).to.equal(
      'invalid',
    );
  });
});
