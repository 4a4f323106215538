import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { startDeliveryEngine } from '../../examples/delivery-engine/server.js';
import type { RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { Browser, submitAutoPostForm } from '../../src/lms-sim/index.js';
import type { FollowResult } from '../../src/lms-sim/index.js';
import { FakeExamgate } from './fake-examgate.js';
import { buildHandoffClaims, rawToken, signHandoff } from './handoff-tokens.js';
import type { Claims } from './handoff-tokens.js';

describe('sample delivery engine', () => {
  let examgate: FakeExamgate;
  let engine: RunningDeliveryEngine;

  before(async () => {
    examgate = await FakeExamgate.start();
    engine = await startDeliveryEngine({ examgateUrl: examgate.url });
    examgate.trustEngine(engine.origin);
  });
  after(async () => {
    await engine.close();
    await examgate.close();
  });

  const claims = (overrides: Claims = {}): Claims => buildHandoffClaims(examgate, engine.origin, overrides);
  const handOff = (token: string, browser = new Browser()): Promise<FollowResult> =>
    browser.follow(engine.url, { form: { handoff: token } });

  /** Hands a valid token over and returns the browser sitting on the test page. */
  async function startTest(overrides: Claims = {}): Promise<{ browser: Browser; page: FollowResult; attempt: string }> {
    const browser = new Browser();
    const handoff = claims(overrides);
    const page = await handOff(signHandoff(handoff, examgate), browser);
    expect(page.response.status, page.body).to.equal(200);
    return { browser, page, attempt: handoff.attempt as string };
  }

  /**
   * Presses Finish with the page's CSRF token and `fields`. Like a real browser, it sends no
   * unchecked radio button: questions not named in `fields` are unanswered.
   */
  async function finish(browser: Browser, page: FollowResult, fields: Record<string, string> = {}): Promise<Response> {
    const form = submitAutoPostForm(page.body);
    expect(form, 'Finish form').not.to.equal(null);
    return browser.request(new URL(form?.action ?? '', page.url).href, { form: { _csrf: form?.fields._csrf ?? '', ...fields } });
  }

  /** The score of the attempt's finished report, checked to be verifiable. */
  function finishedScore(attempt: string): unknown {
    const finished = examgate.reportsFor(attempt).filter((report) => report.claims?.event === 'finished');
    expect(finished, 'finished reports').to.have.length(1);
    expect(finished[0]?.verified, finished[0]?.problem).to.equal(true);
    return finished[0]?.claims?.score;
  }

  describe('when the hand-off is valid', () => {
    it('then the test page shows the title, candidate ID, total time with the extra time and the close time in the exam zone', async () => {
      const { page } = await startTest();
      expect(page.url).to.equal(engine.url);
      expect(page.body).to.include('<html lang="en">').and.include('<title>Algebra final');
      expect(page.body).to.include('Algebra final').and.include('Cand 0042');
      expect(page.body).to.include('60 + 15 = 75 minutes');
      // Window end 09:00Z + 15 min = 09:15Z = 11:15 summer time in Oslo.
      expect(page.body)
        .to.include('datetime="2030-06-15T09:15:00.000Z"')
        .and.match(/15 June 2030[^<]*11:15/);
      expect(page.body).to.include('Europe/Oslo');
    });

    it('then the Finish form asks the two questions and has no score field', async () => {
      const { page } = await startTest();
      const form = submitAutoPostForm(page.body);
      expect(Object.keys(form?.fields ?? {}).sort()).to.deep.equal(['_csrf', 'q1', 'q2']);
      expect(page.body).to.include('name="q1" value="42"').and.include('name="q1" value="48"');
      expect(page.body).to.include('name="q2" value="9"').and.include('name="q2" value="11"');
      expect(page.body).not.to.match(/name="(score|maximum)"/);
      expect(page.body).not.to.match(/score to report|points given|maximum points/i);
      expect(page.body, 'no answer is pre-selected').not.to.include('checked');
    });

    it('then examgate receives a started report signed by a key at the engine JWKS', async () => {
      const { attempt } = await startTest();
      const [report, ...more] = examgate.reportsFor(attempt);
      expect(more).to.have.length(0);
      expect(report?.verified, report?.problem).to.equal(true);
      expect(report?.header).to.include({ alg: 'RS256' }).and.to.have.property('kid');
      expect(report?.claims).to.include({
        iss: engine.origin,
        aud: examgate.url,
        sub: attempt,
        purpose: 'examgate-delivery-report',
        event: 'started',
      });
      expect(report?.claims).not.to.have.property('score');
      expect((report?.claims?.exp ?? 0) - (report?.claims?.iat ?? 0)).to.equal(60);
      expect(report?.claims?.jti).to.be.a('string');
    });

    it('then markup in the claims is shown as text, never run', async () => {
      const { page } = await startTest({
        exam: {
          id: 'x',
          title: '<script>alert(1)</script> & "Co"',
          durationMinutes: 30,
          window: { start: null, end: null, timeZone: 'UTC' },
        },
        candidate: { id: '<b>Ann</b>', extraTimeMinutes: 0 },
      });
      expect(page.body).not.to.include('<script>alert').and.not.to.include('<b>Ann</b>');
      expect(page.body).to.include('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;Co&quot;').and.include('&lt;b&gt;Ann&lt;/b&gt;');
      expect(page.body).to.include('30 + 0 = 30 minutes').and.include('No closing time');
    });

    it('then an exam without a duration shows no time limit', async () => {
      const { page } = await startTest({
        exam: {
          id: 'x',
          title: 'Open',
          durationMinutes: null,
          window: { start: null, end: '2030-01-10T12:00:00Z', timeZone: 'America/New_York' },
        },
      });
      expect(page.body).to.include('No time limit').and.include('15 minutes');
      expect(page.body).to.match(/10 January 2030[^<]*07:15/);
    });
  });

  describe('when the candidate finishes', () => {
    it('with both answers right, then examgate receives a verifiable finished report scored 2 of 2 and the browser goes to return_url', async () => {
      const { browser, page, attempt } = await startTest();
      const response = await finish(browser, page, { q1: '42', q2: '11' });
      expect(response.status).to.equal(303);
      expect(response.headers.get('location')).to.equal(examgate.returnUrl(attempt));
      expect(finishedScore(attempt)).to.deep.equal({ given: 2, maximum: 2 });
      const finished = examgate.reportsFor(attempt).find((report) => report.claims?.event === 'finished');
      expect(finished?.claims).to.include({ sub: attempt, iss: engine.origin, aud: examgate.url });
      const after = await browser.follow(engine.url);
      expect(after.body).to.include('No test is in progress');
    });

    const graded: Array<{ name: string; answers: Record<string, string>; given: number }> = [
      { name: 'only the first answer right', answers: { q1: '42', q2: '9' }, given: 1 },
      { name: 'only the second answer right', answers: { q1: '48', q2: '11' }, given: 1 },
      { name: 'one answer right and one unanswered', answers: { q2: '11' }, given: 1 },
      { name: 'both answers wrong', answers: { q1: '48', q2: '9' }, given: 0 },
      { name: 'nothing answered', answers: {}, given: 0 },
    ];
    for (const { name, answers, given } of graded) {
      it(`with ${name}, then the engine reports ${given} of 2`, async () => {
        const { browser, page, attempt } = await startTest();
        expect((await finish(browser, page, answers)).status).to.equal(303);
        expect(finishedScore(attempt)).to.deep.equal({ given, maximum: 2 });
      });
    }

    const forged: Array<{ name: string; fields: Record<string, string>; given: number }> = [
      { name: 'score=100&maximum=100 next to one right answer', fields: { q1: '42', q2: '9', score: '100', maximum: '100' }, given: 1 },
      { name: 'score=2&maximum=2 with nothing answered', fields: { score: '2', maximum: '2' }, given: 0 },
      { name: 'a score claim next to both right answers', fields: { q1: '42', q2: '11', score: '0', maximum: '100' }, given: 2 },
      { name: 'the answer to q1 given for q2', fields: { q1: '48', q2: '42' }, given: 0 },
      { name: 'values no choice has', fields: { q1: ' 42', q2: '11.0' }, given: 0 },
      { name: 'extra question fields', fields: { q1: '42', q3: '42', q4: '11', given: '5' }, given: 1 },
    ];
    for (const { name, fields, given } of forged) {
      it(`with a forged form (${name}), then the reported score is still graded from the answers: ${given} of 2`, async () => {
        const { browser, page, attempt } = await startTest();
        expect((await finish(browser, page, fields)).status).to.equal(303);
        expect(finishedScore(attempt)).to.deep.equal({ given, maximum: 2 });
      });
    }

    it('with a right answer posted twice for the same question, then it does not count twice', async () => {
      const { browser, page, attempt } = await startTest();
      const csrf = submitAutoPostForm(page.body)?.fields._csrf ?? '';
      const cookie = Object.entries(browser.cookies(new URL(engine.url).host))
        .map(([name, value]) => `${name}=${value}`)
        .join('; ');
      const body = new URLSearchParams([
        ['_csrf', csrf],
        ['q1', '42'],
        ['q1', '42'],
        ['q2', '9'],
      ]);
      const response = await fetch(new URL('finish', engine.url), { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
      expect(response.status).to.equal(303);
      expect(finishedScore(attempt)).to.deep.equal({ given: 0, maximum: 2 });
    });

    it('and examgate refuses the report, then its message is shown, the answers are kept and the browser is not redirected', async () => {
      const { browser, page, attempt } = await startTest();
      examgate.refuse(attempt, {
        event: 'finished',
        status: 409,
        body: { error: { code: 'attempt_closed', message: 'The invigilator closed this attempt.' } },
      });
      const response = await finish(browser, page, { q1: '48', q2: '9', score: '100', maximum: '100' });
      expect(response.status).to.equal(502);
      expect(response.headers.get('location')).to.equal(null);
      const body = await response.text();
      expect(body).to.include('The invigilator closed this attempt.').and.include('role="alert"');
      expect(body).to.include('name="q1" value="48" checked').and.include('name="q2" value="9" checked');
      expect(body.match(/checked/g)).to.have.length(2);
      expect(body).not.to.match(/name="(score|maximum)"|value="100"/);
      expect((await browser.follow(engine.url)).body, 'the test is still open').to.include('Algebra final');
    });

    it('without the CSRF token of the session, then it is refused and nothing is reported', async () => {
      const { browser, page, attempt } = await startTest();
      const response = await finish(browser, page, { _csrf: 'forged' });
      expect(response.status).to.equal(403);
      expect(examgate.reportsFor(attempt)).to.have.length(1);
    });

    it('without a session, then it is refused', async () => {
      const response = await new Browser().request(new URL('finish', engine.url).href, { form: { _csrf: 'x' } });
      expect(response.status).to.equal(401);
      expect(await response.text()).to.include('No test is in progress');
    });
  });

  describe('when the hand-off is not acceptable, then it is refused with a clear page and no report', () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    let stranger: KeyObject | undefined;
    const otherKey = (): KeyObject => (stranger ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const publicPem = (): string => examgate.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const cases: Array<{ name: string; status: number; message: RegExp; token: () => string }> = [
      { name: 'no token at all', status: 400, message: /No hand-off arrived/, token: () => '' },
      { name: 'not a JWT', status: 400, message: /not a signed token/, token: () => 'not-a-jwt' },
      {
        name: 'expired',
        status: 401,
        message: /has expired/,
        token: () => signHandoff(claims({ iat: now() - 200, exp: now() - 80 }), examgate),
      },
      {
        name: 'issued in the future',
        status: 401,
        message: /issued in the future/,
        token: () => signHandoff(claims({ iat: now() + 60, exp: now() + 180 }), examgate),
      },
      {
        name: 'living longer than 10 minutes',
        status: 400,
        message: /&quot;exp&quot; claim/,
        token: () => signHandoff(claims({ exp: now() + 3600 }), examgate),
      },
      {
        name: 'signed by another key under the same kid',
        status: 401,
        message: /signature does not match examgate&#39;s key/,
        token: () => signHandoff(claims(), examgate, { key: otherKey() }),
      },
      {
        name: 'signed by an unknown kid',
        status: 401,
        message: /unknown key \(&quot;stranger&quot;/,
        token: () => signHandoff(claims(), examgate, { key: otherKey(), kid: 'stranger' }),
      },
      {
        name: 'without a kid',
        status: 401,
        message: /does not name its signing key/,
        token: () => signHandoff(claims(), examgate, { kid: null }),
      },
      {
        name: 'alg none',
        status: 401,
        message: /&quot;none&quot;; only RS256/,
        token: () => rawToken({ alg: 'none', typ: 'JWT', kid: examgate.kid }, claims()),
      },
      {
        name: 'HS256 with the public key as secret',
        status: 401,
        message: /&quot;HS256&quot;; only RS256/,
        token: () => rawToken({ alg: 'HS256', typ: 'JWT', kid: examgate.kid }, claims(), publicPem()),
      },
      {
        name: 'for another audience',
        status: 401,
        message: /wrong audience/,
        token: () => signHandoff(claims({ aud: 'http://127.0.0.1:1' }), examgate),
      },
      {
        name: 'from another issuer',
        status: 401,
        message: /not from the examgate this engine trusts/,
        token: () => signHandoff(claims({ iss: 'http://evil.example' }), examgate),
      },
      {
        name: 'with another purpose',
        status: 401,
        message: /not an examgate hand-off/,
        token: () => signHandoff(claims({ purpose: 'examgate-delivery-report' }), examgate),
      },
      {
        name: 'without a purpose',
        status: 401,
        message: /not an examgate hand-off/,
        token: () => signHandoff(without(claims(), 'purpose'), examgate),
      },
      { name: 'without exp', status: 400, message: /&quot;exp&quot; claim/, token: () => signHandoff(without(claims(), 'exp'), examgate) },
      { name: 'without iat', status: 400, message: /&quot;iat&quot; claim/, token: () => signHandoff(without(claims(), 'iat'), examgate) },
      {
        name: 'without exam',
        status: 400,
        message: /&quot;exam&quot; claim/,
        token: () => signHandoff(without(claims(), 'exam'), examgate),
      },
      {
        name: 'without candidate.id',
        status: 400,
        message: /&quot;candidate.id&quot; claim/,
        token: () => signHandoff(claims({ candidate: { extraTimeMinutes: 0 } }), examgate),
      },
      {
        name: 'with a 501-character candidate ID',
        status: 400,
        message: /1 to 500 characters/,
        token: () => signHandoff(claims({ candidate: { id: 'x'.repeat(501), extraTimeMinutes: 0 } }), examgate),
      },
      {
        name: 'with an unknown time zone',
        status: 400,
        message: /no known time zone/,
        token: () =>
          signHandoff(
            claims({ exam: { id: 'e', title: 't', durationMinutes: 1, window: { start: null, end: null, timeZone: 'Mars/Olympus' } } }),
            examgate,
          ),
      },
      {
        name: 'with a javascript: return_url',
        status: 400,
        message: /&quot;return_url&quot; claim/,
        token: () => signHandoff(claims({ return_url: 'javascript:alert(1)' }), examgate),
      },
      {
        name: 'without attempt',
        status: 400,
        message: /&quot;attempt&quot; claim/,
        token: () => signHandoff(without(claims(), 'attempt'), examgate),
      },
    ];
    for (const { name, status, message, token } of cases) {
      it(`${name} → ${status}`, async () => {
        const before = examgate.reports.length;
        const result = await handOff(token());
        expect(result.response.status).to.equal(status);
        expect(result.response.headers.get('content-type')).to.match(/^text\/html/);
        expect(result.body).to.match(message);
        expect(result.body).not.to.match(/\n\s+at /);
        expect(examgate.reports.length, 'reports sent').to.equal(before);
      });
    }

    it('a replayed jti → 401, although the first use was accepted', async () => {
      const token = signHandoff(claims(), examgate);
      expect((await handOff(token)).response.status).to.equal(200);
      const replay = await handOff(token);
      expect(replay.response.status).to.equal(401);
      expect(replay.body).to.include('already been used');
    });

    it('an expiry 3 s ago is still within the 5 s clock tolerance', async () => {
      const result = await handOff(signHandoff(claims({ iat: now() - 123, exp: now() - 3 }), examgate));
      expect(result.response.status).to.equal(200);
    });
  });

  it('when examgate refuses the started report, then the candidate sees why and gets no session', async () => {
    const handoff = claims();
    examgate.refuse(handoff.attempt as string, {
      event: 'started',
      status: 409,
      body: { error: { code: 'not_open', message: 'This test is not open yet.' } },
    });
    const browser = new Browser();
    const result = await handOff(signHandoff(handoff, examgate), browser);
    expect(result.response.status).to.equal(502);
    expect(result.body).to.include('This test is not open yet.');
    expect(browser.cookies(new URL(engine.url).host)).to.deep.equal({});
  });
});

describe('sample delivery engine, mounted under a path, with a fresh key cache', () => {
  let examgate: FakeExamgate;
  let engine: RunningDeliveryEngine;

  before(async () => {
    examgate = await FakeExamgate.start();
    engine = await startDeliveryEngine({ examgateUrl: `${examgate.url}/`, mountPath: '/deliver' });
    examgate.trustEngine(engine.origin);
  });
  after(async () => {
    await engine.close();
    await examgate.close();
  });

  const handOff = (claims: Claims, kid?: string): Promise<FollowResult> =>
    new Browser().follow(engine.url, {
      form: { handoff: signHandoff(buildHandoffClaims(examgate, engine.origin, claims), examgate, kid === undefined ? {} : { kid }) },
    });

  it('when hand-offs arrive, then examgate JWKS is fetched once, and an unknown kid refetches at most once per 30 s', async () => {
    expect(examgate.jwksFetches).to.equal(0);
    expect((await handOff({})).response.status).to.equal(200);
    expect((await handOff({})).response.status).to.equal(200);
    expect(examgate.jwksFetches).to.equal(1);
    expect((await handOff({}, 'rotated-in')).response.status).to.equal(401);
    expect(examgate.jwksFetches).to.equal(2);
    expect((await handOff({}, 'rotated-in')).response.status).to.equal(401);
    expect((await handOff({}, 'another')).response.status).to.equal(401);
    expect(examgate.jwksFetches).to.equal(2);
  });

  it('when mounted at /deliver, then the test lives there, Finish posts under it and the JWKS stays at the origin root', async () => {
    expect(engine.url).to.equal(`${engine.origin}/deliver`);
    expect(engine.jwksUrl).to.equal(`${engine.origin}/.well-known/jwks.json`);
    const browser = new Browser();
    const page = await browser.follow(engine.url, {
      form: { handoff: signHandoff(buildHandoffClaims(examgate, engine.origin), examgate) },
    });
    expect(page.url).to.equal(engine.url);
    const form = submitAutoPostForm(page.body);
    expect(form?.action).to.equal('/deliver/finish');
    const response = await browser.request(new URL(form?.action ?? '', page.url).href, { form: form?.fields ?? {} });
    expect(response.status).to.equal(303);
    const jwks = (await (await fetch(engine.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(jwks.keys[0]).to.include({ kty: 'RSA', use: 'sig', alg: 'RS256' }).and.to.have.property('kid');
    expect(examgate.reports.every((report) => report.verified)).to.equal(true);
  });
});

function without(claims: Claims, key: string): Claims {
  const { [key]: _dropped, ...rest } = claims;
  return rest;
}
