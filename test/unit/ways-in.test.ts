import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { CODE_ALPHABET, CODE_LENGTH, formatEntryCode, newEntryCode, normaliseEntryCode } from '../../src/access/entry-code.js';
import { judgeWayIn, wayInExpiry, WAY_IN_REFUSALS, type FoundWayIn } from '../../src/access/way-in-expiry.js';
import { refusalPage } from '../../src/access/way-in-refusal.js';
import { hashOfSent, lookupHash, newLinkToken, parseLinkToken } from '../../src/access/way-in-secret.js';

describe('entry codes', () => {
  it('when the alphabet is read, then it has none of the look-alikes 0 O 1 I L U and no lower case', () => {
    for (const symbol of '0O1ILU') {
      expect(CODE_ALPHABET).not.to.contain(symbol);
    }
    expect(CODE_ALPHABET).to.equal(CODE_ALPHABET.toUpperCase());
    expect(new Set(CODE_ALPHABET).size).to.equal(CODE_ALPHABET.length);
  });

  it('when codes are drawn, then each has 10 symbols of the alphabet, and a thousand draws do not repeat', () => {
    const codes = Array.from({ length: 1000 }, newEntryCode);
    for (const code of codes) {
      expect(code).to.have.length(CODE_LENGTH);
      expect([...code].every((s) => CODE_ALPHABET.includes(s))).to.equal(true);
    }
    expect(new Set(codes).size).to.equal(1000);
  });

  it('when a code is shown, then it is grouped ABCD-EFGH-JK', () => {
    expect(formatEntryCode('ABCDEFGHJK')).to.equal('ABCD-EFGH-JK');
  });

  it('when a code is typed in any case, with spaces, dashes (also typographic ones) or full-width letters, then it is the same code', () => {
    for (const typed of [
      'ABCD-EFGH-JK',
      'abcd-efgh-jk',
      ' abcd efgh jk ',
      'ABCDEFGHJK',
      'ABCD–EFGH—JK',
      'ＡＢＣＤ-ＥＦＧＨ-ＪＫ',
      'AB\tCD\nEFGHJK',
    ]) {
      expect(normaliseEntryCode(typed), typed).to.equal('ABCDEFGHJK');
    }
  });

  it('when what was typed has the wrong length or a symbol the alphabet lacks, then it is no code', () => {
    for (const typed of ['', 'ABCD-EFGH-J', 'ABCD-EFGH-JKM', 'ABCD-EFGH-J0', 'OBCD-EFGH-JK', 'ABCD.EFGH.JK', 'ABCD-EFGH-JÜ']) {
      expect(normaliseEntryCode(typed), typed).to.equal(null);
    }
  });
});

describe('direct-link tokens and lookup hashes', () => {
  it('when a token is drawn, then it is 43 base64url characters (256 bits) and reads back as a token', () => {
    const token = newLinkToken();
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(parseLinkToken(token)).to.equal(token);
    expect(parseLinkToken(`${token}=`)).to.equal(null);
    expect(parseLinkToken('short')).to.equal(null);
  });

  it('when a code is looked up, then however it was typed it has the hash of its normal form', () => {
    expect(hashOfSent('code', 'abcd efgh jk')).to.equal(lookupHash('ABCDEFGHJK'));
    expect(hashOfSent('code', 'nonsense')).to.equal(null);
    expect(lookupHash('ABCDEFGHJK')).to.match(/^[0-9a-f]{64}$/);
  });
});

describe('when ways in expire', () => {
  const closesAt = new Date('2026-06-01T12:00:00Z');

  it('when the test has its own expiry, then that holds for every candidate, extra time or not', () => {
    const accessExpiresAt = new Date('2026-06-02T00:00:00Z');
    expect(wayInExpiry({ closesAt, accessExpiresAt }, 0)).to.deep.equal(accessExpiresAt);
    expect(wayInExpiry({ closesAt, accessExpiresAt }, 90)).to.deep.equal(accessExpiresAt);
  });

  it('when it has none, then the window’s end plus the candidate’s extra time', () => {
    expect(wayInExpiry({ closesAt, accessExpiresAt: null }, 0)).to.deep.equal(closesAt);
    expect(wayInExpiry({ closesAt, accessExpiresAt: null }, 45)).to.deep.equal(new Date('2026-06-01T12:45:00Z'));
  });

  it('when the test has no closing time, then there is no date: closing the test ends them', () => {
    expect(wayInExpiry({ closesAt: null, accessExpiresAt: null }, 30)).to.equal(null);
  });

  it('when the way in was issued with a lifetime, then the earlier of its end and the window’s end; the test’s override beats both', () => {
    const closesAt = new Date('2026-06-01T12:00:00Z');
    const early = new Date('2026-06-01T10:00:00Z');
    const late = new Date('2026-06-03T10:00:00Z');
    expect(wayInExpiry({ closesAt, accessExpiresAt: null }, 30, early)).to.deep.equal(early);
    expect(wayInExpiry({ closesAt, accessExpiresAt: null }, 30, late)).to.deep.equal(new Date('2026-06-01T12:30:00Z'));
    expect(wayInExpiry({ closesAt: null, accessExpiresAt: null }, 30, late)).to.deep.equal(late);
    expect(wayInExpiry({ closesAt, accessExpiresAt: late }, 30, early)).to.deep.equal(late);
  });
});

describe('judging a way in', () => {
  const found = (over: Partial<FoundWayIn> = {}, exam: Partial<FoundWayIn['exam']> = {}): FoundWayIn => ({
    kind: 'link',
    revokedAt: null,
    platformId: 'p1',
    examId: 'e1',
    candidateId: 'c1',
    candidateStatus: 'active',
    extraTimeMinutes: 30,
    lifetimeEndsAt: null,
    ...over,
    exam: { title: 'Final', status: 'active', closesAt: new Date('2026-06-01T12:00:00Z'), accessExpiresAt: null, timeZone: 'UTC', ...exam },
  });
  const at = new Date('2026-06-01T12:10:00Z');

  it('when all is well, then it names the candidate, their test, its tenant and the way in', () => {
    expect(judgeWayIn(found(), at)).to.deep.equal({
      ok: true,
      principal: { way: 'direct-link', platformId: 'p1', examId: 'e1', candidateId: 'c1' },
      examTitle: 'Final',
    });
    const byCode = judgeWayIn(found({ kind: 'code' }), at);
    expect(byCode.ok && byCode.principal.way).to.equal('entry-code');
  });

  it('when extra time runs past the window’s end, then the way in still works until it ends, then says expired', () => {
    expect(judgeWayIn(found(), new Date('2026-06-01T12:29:59Z')).ok).to.equal(true);
    const late = judgeWayIn(found(), new Date('2026-06-01T12:30:00Z'));
    expect(late).to.deep.include({ ok: false, reason: 'expired', expiredAt: new Date('2026-06-01T12:30:00Z') });
  });

  it('when several reasons hold, then the most lasting one is given: revoked, withdrawn, the test’s state, the clock', () => {
    const late = new Date('2027-01-01T00:00:00Z');
    const reason = (f: FoundWayIn) => {
      const r = judgeWayIn(f, late);
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason(found({ revokedAt: at, candidateStatus: 'withdrawn' }, { status: 'closed' }))).to.equal('revoked');
    expect(reason(found({ candidateStatus: 'withdrawn' }, { status: 'closed' }))).to.equal('withdrawn');
    expect(reason(found({}, { status: 'closed' }))).to.equal('closed');
    expect(reason(found({}, { status: 'draft' }))).to.equal('draft');
    expect(reason(found())).to.equal('expired');
    expect(judgeWayIn(null, late)).to.deep.equal({ ok: false, reason: 'unknown' });
  });

  it('when refused, then each reason has a page of its own; only an unknown one is 404 and names no test', () => {
    const pages = WAY_IN_REFUSALS.map((reason) =>
      refusalPage(
        'link',
        reason === 'unknown'
          ? { ok: false, reason }
          : { ok: false, reason, exam: { id: 'e', title: 'Final', timeZone: 'UTC', platformId: 'p' } },
      ),
    );
    expect(new Set(pages.map((p) => p.title)).size).to.equal(WAY_IN_REFUSALS.length);
    expect(pages.map((p) => p.status)).to.deep.equal([404, 410, 403, 403, 410, 410]);
    expect(pages[0]!.message).not.to.contain('Final');
    expect(refusalPage('code', { ok: false, reason: 'revoked' }).title).to.equal('This entry code was withdrawn');
  });
});

describe('the way-in throttle defaults', () => {
  it('when a full exam room (1500 candidates, three typos each) types codes behind one address, then the defaults let every one in', () => {
    const defaults = JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8')) as Record<string, number>;
    expect(defaults.ENTRY_CODE_FAILURES_PER_ADDRESS).to.be.at.least(1500 * 3);
    expect(defaults.ENTRY_CODE_ATTEMPTS_PER_ADDRESS).to.be.at.least(1500 * 4);
    expect(defaults.DIRECT_LINK_FAILURES_PER_ADDRESS).to.be.above(0);
  });
});
