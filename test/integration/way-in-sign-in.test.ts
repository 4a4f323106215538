import { expect } from 'chai';
import request from 'supertest';
import { throttleRules } from '../../src/throttle/throttle-rules.js';
import type { ThrottleRule } from '../../src/throttle/throttle.service.js';
import { formatInZone } from '../../src/exams/time-zone.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { auditRows } from '../support/audit.js';
import { preloadThrottle, throttleHits } from '../support/throttle-counters.js';
import { courseWithTest, openWaysIn, postCode, postLink, tokenOf, waysInRows } from '../support/ways-in.js';

describe('Direct links and entry codes: signing in with one', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const candidateCookie = (response: { headers: Record<string, unknown> }) =>
    ((response.headers['set-cookie'] as string[] | undefined) ?? []).filter((c) => c.startsWith('examgate_candidate='));

  async function activeTest(learners = 2, form: Record<string, string> = {}) {
    const course = await courseWithTest(world, learners, form);
    const rows = waysInRows((await openWaysIn(course.teacher, course.examId)).body);
    return { ...course, rows };
  }

  const refusals = () => auditRows(world, "action = 'sign-in-refused'");

  describe('a direct link', () => {
    it('when it is opened (GET), then a page names the test and offers a button, signs no one in, and cleans the address bar', async () => {
      const { rows } = await activeTest(1, { title: 'Biology final' });
      const opened = await request(world.url).get(new URL(rows[0]!.link!).pathname);
      expect(opened.status).to.equal(200);
      expect(opened.text).to.contain('<button type="submit">Open Biology final</button>');
      expect(opened.text).to.contain('<form method="post" action="/go">');
      expect(opened.text).to.contain(`name="token" value="${tokenOf(rows[0]!.link!)}"`);
      expect(opened.text).to.contain("history.replaceState(null, '', '/go')");
      expect(opened.headers['cache-control']).to.equal('no-store');
      expect(candidateCookie(opened)).to.deep.equal([]);
      const reloaded = await request(world.url).get('/go');
      expect(reloaded.status).to.equal(200);
      expect(reloaded.text).to.contain('open your personal link again');
    });

    it('when its button posts the token, then the candidate is signed in and sent to their test, with no token in the URL', async () => {
      const { examId, rows } = await activeTest(1);
      const token = tokenOf(rows[0]!.link!);
      const signedIn = await postLink(world, token);
      expect(signedIn.status).to.equal(303);
      expect(signedIn.headers.location).to.equal(`/my/tests/${examId}`);
      expect(signedIn.headers.location).not.to.contain(token);
      expect(candidateCookie(signedIn)).to.have.length(1);
      // The link stays usable until it expires or is withdrawn: the candidate may open it again.
      expect((await postLink(world, token)).status).to.equal(303);
    });

    it('when several candidates of two tests use their links and codes, then each one reaches exactly their own candidate and test', async () => {
      const a = await activeTest(3);
      const b = await activeTest(2);
      for (const { examId, rows } of [a, b]) {
        for (const row of rows) {
          const byLink = await world.examgate.waysIn.resolveLink(tokenOf(row.link!));
          const byCode = await world.examgate.waysIn.resolveCode(row.code!);
          expect(byLink).to.deep.include({ ok: true });
          expect(byLink.ok && byLink.principal).to.include({ way: 'direct-link', examId, candidateId: row.id });
          expect(byCode.ok && byCode.principal).to.include({ way: 'entry-code', examId, candidateId: row.id });
          expect((await postLink(world, tokenOf(row.link!))).headers.location).to.equal(`/my/tests/${examId}`);
          expect((await postCode(world, row.code!)).headers.location).to.equal(`/my/tests/${examId}`);
        }
      }
    });

    it('when the post comes from another site, or says nothing of where it came from, then it is refused and no one is signed in', async () => {
      const { rows } = await activeTest(1);
      const token = tokenOf(rows[0]!.link!);
      for (const attempt of [
        postLink(world, token, 'cross-site'),
        request(world.url).post('/go').type('form').send({ token }).redirects(0),
        request(world.url).post('/go').set('Origin', 'https://evil.example').type('form').send({ token }).redirects(0),
      ]) {
        const refused = await attempt;
        expect(refused.status).to.equal(403);
        expect(candidateCookie(refused)).to.deep.equal([]);
      }
      const fromOwnPage = await request(world.url).post('/go').set('Origin', world.url).type('form').send({ token }).redirects(0);
      expect(fromOwnPage.status).to.equal(303);
    });

    it('when the link is unknown or malformed, then a 404 page says so, names no test and points to the login page; the post is audited', async () => {
      await activeTest(1);
      for (const token of ['A'.repeat(43), 'too-short', '<script>']) {
        const opened = await request(world.url).get(`/go/${encodeURIComponent(token)}`);
        expect(opened.status).to.equal(404);
        expect(opened.text).to.contain('This link is not known');
        expect(opened.text).to.contain('href="/login"');
        const posted = await postLink(world, token);
        expect(posted.status).to.equal(404);
        expect(candidateCookie(posted)).to.deep.equal([]);
      }
      const entries = await refusals();
      expect(entries.map((e) => [e.actor_kind, e.via, e.entity_type, e.changes.reason?.to, e.exam_id])).to.deep.equal(
        Array(3).fill(['anonymous', 'direct-link', 'way-in', 'unknown', null]),
      );
    });
  });

  describe('the refusals, each with its own page and status', () => {
    it('when the link was revoked, then 410 “This link was withdrawn…”', async () => {
      const { teacher, examId, rows } = await activeTest(1, { title: 'Revoked test' });
      const list = `/app/exams/${examId}/ways-in`;
      await teacher.post(`${list}/${rows[0]!.id}/revoke`, {}, `${list}/${rows[0]!.id}/revoke`);
      const opened = await request(world.url).get(new URL(rows[0]!.link!).pathname);
      expect(opened.status).to.equal(410);
      const posted = await postLink(world, tokenOf(rows[0]!.link!));
      expect(posted.status).to.equal(410);
      expect(posted.text).to.contain('This link was withdrawn by the staff of “Revoked test”');
      expect(posted.text).to.contain('href="/login"');
      const [entry] = await refusals();
      expect(entry).to.include({ entity_id: rows[0]!.id, exam_id: examId, via: 'direct-link' });
      expect(entry!.changes.reason!.to).to.equal('revoked');
    });

    it('when the link expired (the test’s own expiry), then 410 with the time in the test’s zone; the code too', async () => {
      const { examId, rows, teacher } = await activeTest(1, { timeZone: 'Europe/Oslo', accessExpiresAt: '2020-01-02T09:30' });
      const shown = formatInZone(new Date('2020-01-02T08:30:00Z'), 'Europe/Oslo');
      const posted = await postLink(world, tokenOf(rows[0]!.link!));
      expect(posted.status).to.equal(410);
      expect(posted.text).to.contain(`This link expired on ${shown}`);
      const typed = await postCode(world, rows[0]!.code!);
      expect(typed.status).to.equal(410);
      expect(typed.text).to.contain(`This entry code expired on ${shown}`);
      expect((await teacher.get(`/app/exams/${examId}`)).body).to.contain(shown);
    });

    it('when the window closed (plus the candidate’s extra time), then the link has expired', async () => {
      const { rows } = await activeTest(1, { opensAt: '2020-01-01T09:00', closesAt: '2020-01-01T12:00', timeZone: 'UTC' });
      const posted = await postLink(world, tokenOf(rows[0]!.link!));
      expect(posted.status).to.equal(410);
      expect(posted.text).to.contain(`expired on ${formatInZone(new Date('2020-01-01T12:00:00Z'), 'UTC')}`);
    });

    it('when the candidate was withdrawn, then 403 “no longer a candidate”', async () => {
      const { teacher, examId, rows } = await activeTest(1);
      const page = `/app/exams/${examId}/candidates/${rows[0]!.id}/withdraw`;
      await teacher.post(page, {}, page);
      const posted = await postLink(world, tokenOf(rows[0]!.link!));
      expect(posted.status).to.equal(403);
      expect(posted.text).to.contain('You are no longer a candidate');
      expect((await postCode(world, rows[0]!.code!)).status).to.equal(403);
    });

    it('when the test was closed, then 410 “This test is closed”', async () => {
      const { teacher, examId, rows } = await activeTest(1);
      await teacher.post(`/app/exams/${examId}/close`, {}, `/app/exams/${examId}/close`);
      const posted = await postLink(world, tokenOf(rows[0]!.link!));
      expect(posted.status).to.equal(410);
      expect(posted.text).to.contain('This test is closed');
    });

    it('when a way in exists on a draft test, then 403 “not open yet”', async () => {
      const { examId, rows } = await activeTest(1);
      // No page ever issues one for a draft; the refusal holds should one exist all the same.
      await world.examgate.sequelize.query("UPDATE exams SET status = 'draft' WHERE id = :examId", { replacements: { examId } });
      const posted = await postLink(world, tokenOf(rows[0]!.link!));
      expect(posted.status).to.equal(403);
      expect(posted.text).to.contain('This test is not open yet');
    });
  });

  describe('an entry code', () => {
    it('when typed in any case, with spaces or without dashes, then it opens the candidate’s test', async () => {
      const { examId, rows } = await activeTest(1);
      const code = rows[0]!.code!;
      const form = await request(world.url).get('/enter');
      expect(form.status).to.equal(200);
      expect(form.text).to.contain('<label for="code">Entry code</label>');
      for (const typed of [code, code.toLowerCase(), code.replace(/-/g, ''), ` ${code.replace(/-/g, ' ').toLowerCase()} `]) {
        const signedIn = await postCode(world, typed);
        expect(signedIn.status, typed).to.equal(303);
        expect(signedIn.headers.location).to.equal(`/my/tests/${examId}`);
        expect(candidateCookie(signedIn)).to.have.length(1);
      }
    });

    it('when what was typed cannot be a code, or is no one’s, then the form comes back with the error at the field', async () => {
      await activeTest(1);
      const malformed = await postCode(world, 'ABC-0O1I');
      expect(malformed.status).to.equal(400);
      expect(malformed.text).to.contain('An entry code has 10 letters and digits');
      expect(malformed.text).to.contain('aria-invalid="true"');
      expect(malformed.text).to.contain('value="ABC-0O1I"');
      const unknown = await postCode(world, 'AAAA-AAAA-AA');
      expect(unknown.status).to.equal(404);
      expect(unknown.text).to.contain('examgate does not know this entry code');
      expect(unknown.text).to.contain('id="error-summary"');
      expect((await refusals()).map((e) => [e.via, e.changes.reason?.to])).to.deep.equal([['entry-code', 'unknown']]);
    });

    it('when the post comes from another site, then it is refused', async () => {
      const { rows } = await activeTest(1);
      expect((await postCode(world, rows[0]!.code!, { 'Sec-Fetch-Site': 'cross-site' })).status).to.equal(403);
      expect((await postCode(world, rows[0]!.code!, {})).status).to.equal(403);
      expect((await postCode(world, rows[0]!.code!, { Origin: world.url })).status).to.equal(303);
    });
  });

  describe('throttling', () => {
    const rules = () => throttleRules(world.config);
    // Every request of these tests comes from 127.0.0.1: one key per rule.
    const hitsOf = async (rule: ThrottleRule) => (await throttleHits(world, rule))[0] ?? 0;
    const preload = (rule: ThrottleRule, hits: number) => preloadThrottle(world, rule, '127.0.0.1', hits);

    it('when codes are typed, then each wrong one counts one failure for the address and right ones count none', async () => {
      const { rows } = await activeTest(2);
      const failures = rules().entryCode.failuresPerAddress!;
      await postCode(world, 'AAAA-AAAA-AA');
      await postCode(world, 'not a code');
      expect(await hitsOf(failures)).to.equal(2);
      await postCode(world, rows[0]!.code!);
      await postCode(world, rows[1]!.code!);
      expect(await hitsOf(failures)).to.equal(2);
      expect(await hitsOf(rules().entryCode.attemptsPerAddress!)).to.equal(4);
    });

    it('when an address has failed as often as allowed, then even a right code gets the 429 page', async () => {
      const { rows } = await activeTest(1);
      const failures = rules().entryCode.failuresPerAddress!;
      await preload(failures, failures.limit - 1);
      expect((await postCode(world, 'AAAA-AAAA-AA')).status).to.equal(404);
      const locked = await postCode(world, rows[0]!.code!);
      expect(locked.status).to.equal(429);
      expect(locked.text).to.contain('<h1>Too many attempts</h1>');
      expect(Number(locked.headers['retry-after'])).to.be.within(1, failures.windowSeconds);
      expect(candidateCookie(locked)).to.deep.equal([]);
    });

    it('when a full exam room behind one address has come in (1500 candidates, three typos each), then the next one still gets in', async () => {
      const { rows } = await activeTest(1);
      const { failuresPerAddress, attemptsPerAddress } = rules().entryCode;
      // The test run's limits are at least the defaults', which test/unit/ways-in.test.ts holds to this room.
      expect(failuresPerAddress!.limit).to.be.at.least(1500 * 3);
      expect(attemptsPerAddress!.limit).to.be.at.least(1500 * 4);
      await preload(failuresPerAddress!, 1500 * 3 - 1);
      await preload(attemptsPerAddress!, 1500 * 4 - 2);
      expect((await postCode(world, rows[0]!.code!)).status).to.equal(303);
    });

    it('when an address posts unknown links as often as allowed, then /go answers 429 even for a good link; withdrawn links do not count', async () => {
      const { teacher, examId, rows } = await activeTest(2);
      const failures = rules().directLink.failuresPerAddress!;
      const list = `/app/exams/${examId}/ways-in`;
      await teacher.post(`${list}/${rows[1]!.id}/revoke`, {}, `${list}/${rows[1]!.id}/revoke`);
      await postLink(world, tokenOf(rows[1]!.link!));
      expect(await hitsOf(failures)).to.equal(0);
      await postLink(world, 'B'.repeat(43));
      expect(await hitsOf(failures)).to.equal(1);
      await preload(failures, failures.limit);
      const locked = await postLink(world, tokenOf(rows[0]!.link!));
      expect(locked.status).to.equal(429);
      expect(locked.text).to.contain('<h1>Too many attempts</h1>');
    });
  });
});
