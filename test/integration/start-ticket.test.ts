import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import { START_TICKET_SECONDS, StartTickets } from '../../src/access/start-ticket.js';
import { Browser, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, learnerLaunch, placeExam, pressStart, ticketOf } from '../support/course-session.js';
import { buildLearners, settledSync } from '../support/roster.js';

const DELIVERY_URL = 'http://127.0.0.1:9/deliver';

interface TicketClaims {
  sid: string;
  exam: string;
  cand: string;
}

describe('Start by ticket: the tab Start opens carries no session cookie', () => {
  let world: TestWorld;
  let tickets: StartTickets;
  let n = 0;
  before(async () => {
    world = await startWorld();
    tickets = new StartTickets(world.config.SECRET_KEY);
  });
  beforeEach(() => resetLaunchState(world));

  async function placedTest(form: Record<string, string> = {}) {
    n += 1;
    const context = { id: `ticket-${n}`, title: 'Geology' };
    world.lms.setRoster(context.id, buildLearners(2));
    const teacher = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Rocks', deliveryUrl: DELIVERY_URL, ...form });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context);
    return { teacher, examId, link: { context, resourceLink: { id: `rl-ticket-${n}` }, custom } };
  }

  const attemptOf = async (examId: string, sub = 'u-1') =>
    (
      await world.examgate.sequelize.query<{
        attempt_state: string;
        attempt_ref: string | null;
        handed_off_at: unknown;
        started_at: unknown;
      }>('SELECT attempt_state, attempt_ref, handed_off_at, started_at FROM candidates WHERE exam_id = :examId AND lms_user_id = :sub', {
        replacements: { examId, sub },
        type: QueryTypes.SELECT,
      })
    )[0]!;
  const post = (form: Record<string, string>, headers: Record<string, string> = {}, query = '') =>
    new Browser().follow(`${world.url}/handoff${query}`, { method: 'POST', form, headers });
  const claimsOf = (ticket: string) => jwt.decode(ticket) as TicketClaims;
  const reissue = (ticket: string, change: Partial<TicketClaims>, now = Date.now()) => {
    const claims = { ...claimsOf(ticket), ...change };
    return tickets.issue({ sessionIdHash: claims.sid, examId: claims.exam, candidateId: claims.cand }, now);
  };

  it('when the lobby loads in a frame, in a window of its own, or the browser does not say, then Start targets a new tab, that window, a new tab', async () => {
    const { link } = await placedTest();
    const lobby = await learnerLaunch(world, { sub: 'u-1' }, link);
    const visibleForm = (body: string) => {
      const view = /<div data-view="(framed|top)"[^>]*?(?<!hidden)>/.exec(body)?.[1];
      const section = body.split(`data-view="${view}"`)[1]!;
      return { view, form: /<form method="post" action="\/handoff"([^>]*)>/.exec(section)![1]! };
    };
    // The simulated browser sends no Sec-Fetch-Dest: the page counts as framed (its script corrects that).
    expect(visibleForm(lobby.landing.body)).to.deep.equal({ view: 'framed', form: ' target="_blank" rel="noopener" data-start-form' });
    const framed = await lobby.browser.follow(`${world.url}/app`, { headers: { 'sec-fetch-dest': 'iframe' } });
    expect(visibleForm(framed.body).form).to.contain('target="_blank"');
    expect(framed.body).to.contain('Your test opens in a new tab; this page stays open here.');
    const own = await lobby.browser.follow(`${world.url}/app/lobby`, { headers: { 'sec-fetch-dest': 'document' } });
    expect(visibleForm(own.body)).to.deep.equal({ view: 'top', form: ' rel="noopener" data-start-form' });
    expect(own.response.headers.get('cache-control')).to.equal('no-store');

    const whole = await placedTest({ openIn: 'whole_window' });
    const wholeLobby = await learnerLaunch(world, { sub: 'u-1' }, whole.link);
    expect(visibleForm(wholeLobby.landing.body).form).to.contain('target="_top"');
    expect(wholeLobby.landing.body).to.contain('Your test opens in this whole window, in place of the course page.');
  });

  it('when a browser with no examgate cookie posts the lobby’s ticket, then it gets a hand-off, handed off and not started; each use is a fresh hand-off', async () => {
    const { examId, link } = await placedTest();
    const lobby = await learnerLaunch(world, { sub: 'u-1' }, link);
    const newTab = new Browser();
    const first = await pressStart(world, newTab, lobby.landing.body, { 'sec-fetch-site': 'same-origin' });
    expect(first.response.status, first.body).to.equal(200);
    expect(first.response.headers.get('cache-control')).to.equal('no-store');
    const form = submitAutoPostForm(first.body)!;
    expect(form.action).to.equal(DELIVERY_URL);
    const handoff = jwt.decode(form.fields.handoff!) as { jti: string; attempt: string; candidate: { id: string } };
    expect(handoff.candidate.id).to.equal('u-1');
    const recorded = await attemptOf(examId);
    expect(recorded).to.include({ attempt_state: 'handed_off', attempt_ref: handoff.attempt, started_at: null });
    expect(recorded.handed_off_at).not.to.equal(null);

    const again = submitAutoPostForm((await pressStart(world, new Browser(), lobby.landing.body)).body)!;
    const second = jwt.decode(again.fields.handoff!) as { jti: string; attempt: string };
    expect(second.jti).not.to.equal(handoff.jti);
    expect(second.attempt).to.equal(handoff.attempt);
    expect((await attemptOf(examId)).attempt_state).to.equal('handed_off');
  });

  it('when the ticket is missing, changed, expired, cross-site or in the URL, then each gets a page that says what to do, and nothing is handed off', async () => {
    const { examId, link } = await placedTest();
    const ticket = ticketOf((await learnerLaunch(world, { sub: 'u-1' }, link)).landing.body);
    const cases: Array<{ what: string; answer: Promise<Awaited<ReturnType<typeof post>>>; status: number; code: string; says: string }> = [
      { what: 'missing', answer: post({}), status: 400, code: 'start_ticket_missing', says: 'only from the Start button in examgate' },
      {
        what: 'in the query string only',
        answer: post({}, {}, `?ticket=${ticket}`),
        status: 400,
        code: 'start_ticket_missing',
        says: 'press Start',
      },
      {
        what: 'tampered',
        answer: post({ ticket: `${ticket.slice(0, -3)}${ticket.endsWith('AAA') ? 'BBB' : 'AAA'}` }),
        status: 403,
        code: 'start_ticket_invalid',
        says: 'it was changed, or it did not come from examgate',
      },
      {
        what: 'expired',
        answer: post({ ticket: reissue(ticket, {}, Date.now() - (START_TICKET_SECONDS + 60) * 1000) }),
        status: 401,
        code: 'start_ticket_expired',
        says: 'reload the page and press Start again',
      },
      {
        what: 'posted from another site',
        answer: post({ ticket }, { 'sec-fetch-site': 'cross-site' }),
        status: 403,
        code: 'start_ticket_cross_site',
        says: 'not pressed on examgate’s own page',
      },
      {
        what: 'posted from a sibling site',
        answer: post({ ticket }, { 'sec-fetch-site': 'same-site' }),
        status: 403,
        code: 'start_ticket_cross_site',
        says: 'Open the test from your course',
      },
    ];
    for (const { what, answer, status, code, says } of cases) {
      const page = await answer;
      expect(page.response.status, what).to.equal(status);
      expect(page.body, what).to.contain('<h1>Your test could not be opened</h1>');
      expect(page.body, what).to.contain(code);
      expect(page.body.replace(/&#39;/g, '’'), what).to.contain(says);
      expect(page.body, what).not.to.contain('name="handoff"');
    }
    expect((await attemptOf(examId)).attempt_state).to.equal('not_started');
  });

  it('when the ticket names another session, another test or an ended session, then it opens nothing', async () => {
    const { examId, link } = await placedTest();
    const other = await placedTest();
    const mine = ticketOf((await learnerLaunch(world, { sub: 'u-1' }, link)).landing.body);
    const theirs = ticketOf((await learnerLaunch(world, { sub: 'u-2' }, link)).landing.body);
    const elsewhere = ticketOf((await learnerLaunch(world, { sub: 'u-1' }, other.link)).landing.body);
    const staff = await instructorOf(world, link.context, { resourceLink: link.resourceLink, custom: link.custom });
    const staffSid = (
      await world.examgate.sequelize.query<{ id_hash: string }>("SELECT id_hash FROM sessions WHERE user_sub = 'teacher-1'", {
        type: QueryTypes.SELECT,
      })
    ).map((r) => r.id_hash);
    expect(staff.landing.status).to.equal(200);

    const mismatches = {
      'my candidate in their session': reissue(mine, { sid: claimsOf(theirs).sid }),
      'their candidate in my session': reissue(mine, { cand: claimsOf(theirs).cand }),
      'my session and candidate, another test': reissue(mine, { exam: claimsOf(elsewhere).exam }),
      'another test’s session with this test': reissue(elsewhere, { exam: claimsOf(mine).exam, cand: claimsOf(mine).cand }),
      'a staff session with my candidate': reissue(mine, { sid: staffSid.at(-1)! }),
    };
    for (const [what, ticket] of Object.entries(mismatches)) {
      const page = await post({ ticket });
      expect(page.response.status, what).to.equal(403);
      expect(page.body, what).to.contain('start_ticket_mismatch');
      expect(page.body, what).to.contain('belongs to another test or to another session than yours');
    }

    await world.examgate.sequelize.query('UPDATE sessions SET expires_at = :past WHERE id_hash = :sid', {
      replacements: { past: new Date(Date.now() - 1000), sid: claimsOf(mine).sid },
    });
    const ended = await post({ ticket: mine });
    expect(ended.response.status).to.equal(401);
    expect(ended.body).to.contain('start_ticket_session_ended');
    expect(ended.body).to.contain('Your examgate session has ended. Open the test again from your course');
    await world.examgate.sequelize.query('DELETE FROM sessions WHERE id_hash = :sid', { replacements: { sid: claimsOf(theirs).sid } });
    expect((await post({ ticket: theirs })).response.status).to.equal(401);

    const states = await world.examgate.sequelize.query<{ attempt_state: string }>(
      'SELECT attempt_state FROM candidates WHERE exam_id IN (:ids)',
      {
        replacements: { ids: [examId, other.examId] },
        type: QueryTypes.SELECT,
      },
    );
    expect(states.map((s) => s.attempt_state)).to.deep.equal(states.map(() => 'not_started'));
  });

  it('when the lobby’s script asks how the attempt is, then it gets the state, the hand-off time and a fresh ticket; without the session it gets 401', async () => {
    const { link } = await placedTest();
    const lobby = await learnerLaunch(world, { sub: 'u-1' }, link);
    const state = async () => {
      const answer = await lobby.browser.follow(`${world.url}/app/lobby/state`, { headers: { accept: 'application/json' } });
      expect(answer.response.headers.get('cache-control')).to.equal('no-store');
      return JSON.parse(answer.body) as { state: string; handedOffAt: string; ticket: string };
    };
    const before = await state();
    expect(before).to.include({ state: 'open', handedOffAt: '' });
    expect(claimsOf(before.ticket)).to.deep.include(claimsOf(ticketOf(lobby.landing.body)));

    await pressStart(world, new Browser(), lobby.landing.body);
    const after = await state();
    expect(after.state).to.equal('handed_off');
    expect(new Date(after.handedOffAt).getTime()).to.be.closeTo(Date.now(), 60_000);
    // The fresh ticket works like the page's.
    expect((await post({ ticket: after.ticket })).response.status).to.equal(200);

    const stranger = await new Browser().follow(`${world.url}/app/lobby/state`, { headers: { accept: 'application/json' } });
    expect(stranger.response.status).to.equal(401);
    expect(JSON.parse(stranger.body)).to.deep.equal({
      error: { code: 'no_session', message: 'Your examgate session has ended or was never started. Open examgate again from your course.' },
    });
  });
});
