import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { Browser, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, learnerLaunch, placeExam, pressStart } from '../support/course-session.js';
import { buildLearners, settledSync } from '../support/roster.js';

interface AttemptRow {
  attempt_state: string;
  attempt_ref: string | null;
  handed_off_at: string | Date | null;
  started_at: string | Date | null;
  finished_at: string | Date | null;
  score_given: number | null;
}

interface Handoff {
  jti: string;
  attempt: string;
  report_url: string;
}

describe('Handed off, then started: an attempt starts when the engine says so (end to end)', () => {
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
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
  after(() => engine.close());
  beforeEach(() => resetLaunchState(world));

  /** Signs a report exactly as the engine would, for the cases the sample engine never produces. */
  const report = (handoff: Handoff, claims: Record<string, unknown>) =>
    fetch(handoff.report_url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${jwt.sign({ purpose: 'examgate-delivery-report', ...claims }, engineKey, {
          algorithm: 'RS256',
          keyid: engineKid,
          issuer: engine.origin,
          audience: world.url,
          subject: handoff.attempt,
          jwtid: `states-${n}-${Math.random()}`,
          expiresIn: 60,
        })}`,
      },
    });

  async function activeTest() {
    n += 1;
    const context = { id: `states-${n}` };
    world.lms.setRoster(context.id, buildLearners(1));
    const teacher = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Botany', timeZone: 'UTC', deliveryUrl: engine.url });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context);
    const link = { context, resourceLink: { id: `rl-states-${n}` }, custom };
    return { teacher, examId, link };
  }

  const attemptOf = async (examId: string) =>
    (
      await world.examgate.sequelize.query<AttemptRow>(
        "SELECT attempt_state, attempt_ref, handed_off_at, started_at, finished_at, score_given FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
        { replacements: { examId }, type: QueryTypes.SELECT },
      )
    )[0]!;
  /** Start (Continue, Reopen) pressed on a lobby page: the new tab, a browser with no examgate cookie, gets the hand-off. */
  async function handOff(lobbyBody: string, tab = new Browser()) {
    const page = await pressStart(world, tab, lobbyBody);
    expect(page.response.status, page.body).to.equal(200);
    const form = submitAutoPostForm(page.body)!;
    return { tab, form, claims: jwt.decode(form.fields.handoff!) as Handoff };
  }
  const lobbyIn = async (link: Awaited<ReturnType<typeof activeTest>>['link'], where: 'framed' | 'document') => {
    const launch = await learnerLaunch(world, { sub: 'u-1' }, link);
    return (await launch.browser.follow(`${world.url}/app`, { headers: { 'sec-fetch-dest': where === 'framed' ? 'iframe' : 'document' } }))
      .body;
  };

  it('when Start hands off and the engine never gets it, then the attempt is handed off, not started, and the lobby offers Start again', async () => {
    const { teacher, examId, link } = await activeTest();
    await handOff(await lobbyIn(link, 'framed'));
    const row = await attemptOf(examId);
    expect(row).to.include({ attempt_state: 'handed_off', started_at: null });

    const framed = await lobbyIn(link, 'framed');
    expect(framed).to.contain('data-state="handed_off"');
    expect(framed).to.match(/role="status"[^>]*>Your test is open in another tab\.<\/p>/);
    expect(framed).to.contain('>Reopen the test</button>');
    const own = await lobbyIn(link, 'document');
    expect(own).to.contain('has not confirmed yet that your test started');
    expect(own.split('data-view="top"')[1]).to.contain('>Start</button>');

    const list = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(list.body).to.contain('handed off, not started yet');
    expect(list.body).to.match(/data-attempt-when>handed off [^<]+<\/span>/);
  });

  it('when the engine gets the hand-off, then it reports started and only then is the attempt started; Continue and Reopen hand the same attempt off afresh', async () => {
    const { teacher, examId, link } = await activeTest();
    const first = await handOff(await lobbyIn(link, 'framed'));
    const test = await first.tab.follow(first.form.action, { method: 'POST', form: first.form.fields });
    expect(test.response.status, test.body).to.equal(200);
    expect(test.body).to.contain('<h1>Botany</h1>');
    const started = await attemptOf(examId);
    expect(started).to.include({ attempt_state: 'started', attempt_ref: first.claims.attempt });
    expect(new Date(started.started_at!).getTime()).to.be.at.least(new Date(started.handed_off_at!).getTime());

    // Continue in a window of its own; Reopen from the frame: fresh hand-offs of the one attempt, which the engine takes.
    const own = await lobbyIn(link, 'document');
    expect(own.split('data-view="top"')[1]).to.contain('>Continue</button>');
    const framed = await lobbyIn(link, 'framed');
    expect(framed).to.contain('>Reopen the test</button>');
    const jtis = new Set([first.claims.jti]);
    for (const page of [own, framed]) {
      const again = await handOff(page);
      expect(again.claims.attempt).to.equal(first.claims.attempt);
      jtis.add(again.claims.jti);
      const resumed = await again.tab.follow(again.form.action, { method: 'POST', form: again.form.fields });
      expect(resumed.response.status, resumed.body).to.equal(200);
      expect(resumed.body).to.contain('<h1>Botany</h1>');
    }
    expect(jtis.size).to.equal(3);
    const after = await attemptOf(examId);
    expect(after).to.include({ attempt_state: 'started' });
    expect(new Date(after.started_at!).getTime(), 'the first start stays the start').to.equal(new Date(started.started_at!).getTime());
    const list = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(list.body).to.match(/<td>started<br><span class="muted" data-attempt-when>started [^<]+<\/span>/);
  });

  it('when the engine reports the finish of a handed-off attempt without reporting its start, then the finish counts', async () => {
    const { teacher, examId, link } = await activeTest();
    const { claims } = await handOff(await lobbyIn(link, 'framed'));
    const answer = await report(claims, { event: 'finished', score: { given: 3, maximum: 4 } });
    expect(answer.status, await answer.text()).to.equal(204);
    expect(await attemptOf(examId)).to.include({ attempt_state: 'finished', started_at: null, score_given: 3 });
    const list = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(list.body).to.contain('finished · 3 / 4');
    expect(list.body).to.contain('(the test system reported no start)');
    expect(await lobbyIn(link, 'framed')).to.contain('data-state="finished"');
  });

  it('when the engine reports started again (a re-entry), then it is accepted once per report; for a finished attempt, then it is refused', async () => {
    const { examId, link } = await activeTest();
    const { claims } = await handOff(await lobbyIn(link, 'framed'));
    for (let i = 0; i < 2; i++) {
      expect((await report(claims, { event: 'started' })).status).to.equal(204);
    }
    expect((await attemptOf(examId)).attempt_state).to.equal('started');
    expect((await report(claims, { event: 'finished' })).status).to.equal(204);
    const late = await report(claims, { event: 'started' });
    expect(late.status).to.equal(409);
    expect(await late.json()).to.deep.equal({
      error: { code: 'report_rejected', message: 'This attempt is finished: it cannot start again.' },
    });
    expect((await attemptOf(examId)).attempt_state).to.equal('finished');
  });

  it('when a finished candidate presses an old Start again, then the new tab says the test is finished and hands nothing off', async () => {
    const { examId, link } = await activeTest();
    const lobby = await lobbyIn(link, 'framed');
    const { claims } = await handOff(lobby);
    expect((await report(claims, { event: 'finished' })).status).to.equal(204);
    const page = await pressStart(world, new Browser(), lobby);
    expect(page.response.status).to.equal(409);
    expect(page.body).to.contain('You have already finished this test.');
    expect(page.body).not.to.contain('name="handoff"');
    expect((await attemptOf(examId)).attempt_state).to.equal('finished');
  });
});
