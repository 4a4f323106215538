import { expect } from 'chai';
import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { submitAutoPostForm, type SimulatedLms } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, csrfOf, instructorOf, learnerLaunch, placeExam, pressStart } from '../support/course-session.js';
import { buildLearners, candidatesOf, settledSync } from '../support/roster.js';

interface AttemptRow {
  attempt_state: string;
  score_given: number | null;
  grade_status: string | null;
}

describe('Hand-off to the delivery engine and back (end to end)', () => {
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
  /** The engine's own key, so a test can sign a report exactly as the engine would. */
  const engineKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let engineKid: string;
  let n = 0;
  before(async () => {
    world = await startWorld();
    engine = await startDeliveryEngine({
      examgateUrl: world.url,
      privateKeyPem: engineKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      log: () => undefined,
    });
    engineKid = ((await (await fetch(engine.jwksUrl)).json()) as { keys: Array<{ kid: string }> }).keys[0]!.kid;
  });

  function engineReport(attempt: string, claims: Record<string, unknown>, jwtid: string): string {
    return jwt.sign({ purpose: 'examgate-delivery-report', ...claims }, engineKey, {
      algorithm: 'RS256',
      keyid: engineKid,
      issuer: engine.origin,
      audience: world.url,
      subject: attempt,
      jwtid,
      expiresIn: 60,
    });
  }
  after(() => engine.close());
  beforeEach(() => resetLaunchState(world));

  async function activeTest(lms: SimulatedLms = world.lms, form: Record<string, string> = {}) {
    n += 1;
    const context = { id: `handoff-${n}` };
    lms.setRoster(context.id, buildLearners(2));
    const teacher = await instructorOf(world, context, { lms });
    const examId = await createExam(teacher, {
      title: 'Chemistry',
      durationMinutes: '45',
      timeZone: 'Europe/Oslo',
      deliveryUrl: engine.url,
      finishRedirectUrl: `${lms.baseUrl}/return`,
      ...form,
    });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context, lms);
    return { teacher, examId, link: { lms, context, resourceLink: { id: `rl-h-${n}` }, custom } };
  }

  async function start(link: Awaited<ReturnType<typeof activeTest>>['link'], sub = 'u-1') {
    const lobby = await learnerLaunch(world, { sub }, link);
    const handoffPage = await pressStart(world, lobby.browser, lobby.landing.body);
    return { lobby, handoffPage, form: submitAutoPostForm(handoffPage.body) };
  }

  it('when a candidate starts, finishes with a score and comes back, then examgate records it, redirects and posts the grade to the LMS', async () => {
    const { teacher, examId, link } = await activeTest();
    const page = await teacher.get(`/app/exams/${examId}/candidates?q=u-1`);
    const id = /candidates\/([0-9a-f-]{36})\/edit/.exec(page.body)![1]!;
    await teacher.post(`/app/exams/${examId}/candidates/${id}`, { extraTimeMinutes: '15' }, `/app/exams/${examId}/candidates/${id}/edit`);
    const { lobby, form } = await start(link);
    expect(form?.action).to.equal(engine.url);

    // The hand-off verifies against examgate's published JWKS and carries what the engine needs.
    const token = form!.fields.handoff!;
    const header = jwt.decode(token, { complete: true })!.header;
    const jwks = (await (await fetch(`${world.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === header.kid) as unknown as JsonWebKey, format: 'jwk' });
    const claims = jwt.verify(token, key, { algorithms: ['RS256'], issuer: world.url, audience: engine.origin }) as Record<string, unknown>;
    expect(claims).to.include({ purpose: 'examgate-handoff' });
    expect(claims.candidate).to.deep.equal({ id: 'u-1', extraTimeMinutes: 15 });
    expect((claims.exam as { durationMinutes: number }).durationMinutes).to.equal(45);
    expect(Number(claims.exp) - Number(claims.iat)).to.equal(120);
    expect(claims.jti).to.be.a('string');
    expect(JSON.stringify(claims)).not.to.contain('Learner 1');
    expect((await candidatesOf(world, examId)).length).to.equal(2);

    const enginePage = await lobby.browser.follow(form!.action, { method: 'POST', form: form!.fields });
    expect(enginePage.response.status, enginePage.body).to.equal(200);
    expect(enginePage.body).to.contain('Chemistry');
    expect(enginePage.body).to.contain('60');
    const started = await world.examgate.sequelize.query<AttemptRow>(
      "SELECT attempt_state, score_given, grade_status FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    expect(started[0]!.attempt_state).to.equal('started');

    const action = /<form method="post" action="([^"]+)"/.exec(enginePage.body)![1]!;
    const scoresBefore = world.lms.scores.length;
    const finished = await lobby.browser.follow(new URL(action.replace(/&amp;/g, '&'), enginePage.url).href, {
      method: 'POST',
      // One answer right; the engine grades on its server, whatever score the browser sends.
      form: { _csrf: csrfOf(enginePage.body), q1: '42', q2: '9', score: '10', maximum: '10' },
    });
    expect(finished.url).to.equal(`${world.lms.baseUrl}/return`);

    const [row] = await world.examgate.sequelize.query<AttemptRow>(
      "SELECT attempt_state, score_given, grade_status FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    expect(row).to.include({ attempt_state: 'finished', score_given: 1 });
    await waitFor(async () => world.lms.scores.length > scoresBefore);
    const posted = world.lms.scores[scoresBefore]!;
    expect(posted.score).to.include({
      userId: 'u-1',
      scoreGiven: 1,
      scoreMaximum: 2,
      activityProgress: 'Completed',
      gradingProgress: 'FullyGraded',
    });
    await waitFor(async () => {
      const [after] = await world.examgate.sequelize.query<AttemptRow>(
        "SELECT grade_status FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
        { replacements: { examId }, type: QueryTypes.SELECT },
      );
      return after?.grade_status === 'sent';
    });

    // The archive: launching again shows the test as finished, with no Start.
    const again = await learnerLaunch(world, { sub: 'u-1' }, link);
    expect(again.landing.body).to.contain('data-state="finished"');
    expect(again.landing.body).not.to.contain('>Start</button>');
    const list = await teacher.get(`/app/exams/${examId}/candidates?q=u-1`);
    expect(list.body).to.contain('finished · 1 / 2');
  });

  it('when the same hand-off is replayed to the engine, then the engine refuses it', async () => {
    const { link } = await activeTest();
    const { lobby, form } = await start(link);
    const first = await lobby.browser.follow(form!.action, { method: 'POST', form: form!.fields });
    expect(first.response.status).to.equal(200);
    const replay = await lobby.browser.follow(form!.action, { method: 'POST', form: form!.fields });
    expect(replay.response.status).to.be.within(400, 499);
    expect(replay.body.toLowerCase()).to.contain('already');
  });

  it('when a report is forged with another key, replayed, or sent for another attempt, then examgate refuses it', async () => {
    const { link, examId } = await activeTest();
    const { form } = await start(link);
    const handoff = jwt.decode(form!.fields.handoff!) as { report_url: string; attempt: string };
    const { generateKeyPairSync } = await import('node:crypto');
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const forged = jwt.sign({ purpose: 'examgate-delivery-report', event: 'finished', score: { given: 10, maximum: 10 } }, stranger, {
      algorithm: 'RS256',
      keyid: 'not-the-engines',
      issuer: engine.origin,
      audience: world.url,
      subject: handoff.attempt,
      jwtid: 'forged-1',
      expiresIn: 60,
    });
    const refused = await fetch(handoff.report_url, { method: 'POST', headers: { authorization: `Bearer ${forged}` } });
    expect(refused.status).to.equal(401);
    expect(((await refused.json()) as { error: { message: string } }).error.message).to.contain('does not publish');
    const noBearer = await fetch(handoff.report_url, { method: 'POST' });
    expect(noBearer.status).to.equal(401);
    const hs = jwt.sign({ purpose: 'examgate-delivery-report', event: 'finished' }, 'secret', {
      algorithm: 'HS256',
      subject: handoff.attempt,
    });
    expect((await fetch(handoff.report_url, { method: 'POST', headers: { authorization: `Bearer ${hs}` } })).status).to.equal(401);
    const [row] = await world.examgate.sequelize.query<AttemptRow>(
      "SELECT attempt_state, score_given FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    expect(row).to.include({ attempt_state: 'handed_off', score_given: null });
  });

  it('when a genuine engine report is replayed or names another attempt than its URL, then examgate refuses it', async () => {
    const { link } = await activeTest();
    const first = jwt.decode((await start(link, 'u-1')).form!.fields.handoff!) as { report_url: string; attempt: string };
    const second = jwt.decode((await start(link, 'u-2')).form!.fields.handoff!) as { report_url: string; attempt: string };
    const started = engineReport(first.attempt, { event: 'started' }, 'report-1');
    const post = (url: string, token: string) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect((await post(first.report_url, started)).status).to.equal(204);
    const replay = await post(first.report_url, started);
    expect(replay.status).to.equal(409);
    expect(((await replay.json()) as { error: { code: string; message: string } }).error.message).to.equal(
      'This report (jti) was already received.',
    );
    const crossed = await post(second.report_url, engineReport(first.attempt, { event: 'finished' }, 'report-2'));
    expect(crossed.status).to.equal(400);
    const badScore = await post(
      first.report_url,
      engineReport(first.attempt, { event: 'finished', score: { given: 11, maximum: 10 } }, 'report-3'),
    );
    expect(badScore.status).to.equal(400);
  });

  it('when the engine sends the candidate back before finishing, then examgate says the test is not finished', async () => {
    const { link } = await activeTest();
    const { lobby, form } = await start(link);
    const handoff = jwt.decode(form!.fields.handoff!) as { return_url: string };
    const back = await lobby.browser.follow(handoff.return_url);
    expect(back.response.status).to.equal(409);
    expect(back.body).to.contain('has not reported your test as finished');
    expect((await lobby.browser.follow(`${world.url}/attempts/not-a-real-attempt/return`)).response.status).to.equal(404);
  });

  it('when the test has no delivery URL and no system default, then Start explains it and records nothing', async () => {
    const { link, examId } = await activeTest(world.lms, { deliveryUrl: '' });
    const { handoffPage } = await start(link);
    expect(handoffPage.response.status).to.equal(409);
    expect(handoffPage.body).to.contain('This test has no delivery URL yet.');
    const rows = await world.examgate.sequelize.query<AttemptRow>('SELECT attempt_state FROM candidates WHERE exam_id = :examId', {
      replacements: { examId },
      type: QueryTypes.SELECT,
    });
    expect(rows.every((r) => r.attempt_state === 'not_started')).to.equal(true);
  });

  describe('grade passback when the LMS gradebook has trouble', () => {
    interface GradeJobRow {
      status: string;
      attempts: number;
      max_attempts: number;
      error: string | null;
    }
    const gradeJobOf = async (examId: string) => {
      const [row] = await world.examgate.sequelize.query<GradeJobRow>(
        `SELECT j.status, j.attempts, j.max_attempts, j.error FROM jobs j JOIN candidates c ON c.id = j.subject_id
          WHERE j.kind = 'grade-passback' AND c.exam_id = :examId AND c.lms_user_id = 'u-1'`,
        { replacements: { examId }, type: QueryTypes.SELECT },
      );
      return row;
    };
    async function finishWithScore(link: Awaited<ReturnType<typeof activeTest>>['link']) {
      const handoff = jwt.decode((await start(link, 'u-1')).form!.fields.handoff!) as { report_url: string; attempt: string };
      const report = engineReport(handoff.attempt, { event: 'finished', score: { given: 7, maximum: 10 } }, `grade-${n}`);
      const answer = await fetch(handoff.report_url, { method: 'POST', headers: { authorization: `Bearer ${report}` } });
      expect(answer.status).to.equal(204);
    }
    afterEach(() => world.lms.failScores(503, 0));

    it('when the gradebook answers 503 twice, then the third try sends the score once and the grade shows as sent', async () => {
      const { teacher, examId, link } = await activeTest();
      const scoresBefore = world.lms.scores.length;
      world.lms.failScores(503, 2);
      await finishWithScore(link);
      await waitFor(async () => (await gradeJobOf(examId))?.status === 'succeeded');
      expect(await gradeJobOf(examId)).to.include({ status: 'succeeded', attempts: 3, max_attempts: 5 });
      expect(world.lms.scores.slice(scoresBefore).filter((s) => s.score.userId === 'u-1')).to.have.length(1);
      const list = await teacher.get(`/app/exams/${examId}/candidates?q=u-1`);
      expect(list.body).to.contain('grade sent to the LMS');
    });

    it('when the finish cannot be committed with its grade job, then nothing of it is kept and the same report is accepted when sent again', async () => {
      const { examId, link } = await activeTest();
      const handoff = jwt.decode((await start(link, 'u-1')).form!.fields.handoff!) as { report_url: string; attempt: string };
      const report = engineReport(handoff.attempt, { event: 'finished', score: { given: 7, maximum: 10 } }, `uncommitted-${n}`);
      const send = () => fetch(handoff.report_url, { method: 'POST', headers: { authorization: `Bearer ${report}` } });
      const attemptOf = async () =>
        (
          await world.examgate.sequelize.query<AttemptRow>(
            "SELECT attempt_state, score_given, grade_status FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
            { replacements: { examId }, type: QueryTypes.SELECT },
          )
        )[0];

      // The grade job's table is out of reach, so the unit holding the finish cannot commit.
      await world.examgate.sequelize.query('ALTER TABLE jobs RENAME TO jobs_away');
      let refused: Response;
      try {
        refused = await send();
      } finally {
        await world.examgate.sequelize.query('ALTER TABLE jobs_away RENAME TO jobs');
      }
      expect(refused.status).to.be.at.least(500);
      expect(await attemptOf()).to.include({ attempt_state: 'handed_off', score_given: null });

      const retried = await send();
      expect(retried.status, await retried.text()).to.equal(204);
      expect(await attemptOf()).to.include({ attempt_state: 'finished', score_given: 7 });
      await waitFor(async () => (await gradeJobOf(examId))?.status === 'succeeded');
    });

    it('when the gradebook refuses the score (400), then it is not tried again and the page says why', async () => {
      const { teacher, examId, link } = await activeTest();
      world.lms.failScores(400, 1);
      await finishWithScore(link);
      await waitFor(async () => (await gradeJobOf(examId))?.status === 'failed');
      const job = await gradeJobOf(examId);
      expect(job).to.include({ status: 'failed', attempts: 1 });
      expect(job!.error).to.match(/^The LMS gradebook answered HTTP 400 to POST \/ags\/.+\/scores\.$/);
      const list = await teacher.get(`/app/exams/${examId}/candidates?q=u-1`);
      expect(list.body).to.contain('grade could not be sent to the LMS after 1 try: The LMS gradebook answered HTTP 400');
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
