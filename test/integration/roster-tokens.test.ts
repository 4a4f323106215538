import { expect } from 'chai';
import { createScorePoster } from '../../src/lti/ags-client.js';
import { SCOPE } from '../../src/lti/service-token.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, type CourseSession } from '../support/course-session.js';
import { buildLearners, candidatesOf, settledSync } from '../support/roster.js';

describe('Service tokens (NRPS, AGS): cached, shared, refreshed on a 401', () => {
  let world: TestWorld;
  let courseNumber = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(() => {
    world.lms.failNrps(null);
    // Tokens revoked here stay revoked at the LMS: no later test may inherit them from the cache.
    world.examgate.serviceTokens.forget();
  });

  async function courseWithTest(learners: number) {
    courseNumber += 1;
    const contextId = `roster-token-${courseNumber}`;
    world.lms.setRoster(contextId, buildLearners(learners));
    const teacher = await instructorOf(world, { id: contextId });
    const examId = await createExam(teacher);
    const first = await settledSync(world, examId);
    expect(first.status, first.error ?? '').to.equal('succeeded');
    return { contextId, teacher, examId };
  }

  async function syncNow(teacher: CourseSession, examId: string) {
    await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
    return settledSync(world, examId);
  }

  const tokenRequestsSince = (count: number) => world.lms.requestLog.slice(count).filter((r) => r.path === '/token').length;

  it('when several syncs of one LMS run, then they share one token until it nears its expiry', async () => {
    world.examgate.serviceTokens.forget();
    const before = world.lms.requestLog.length;
    const first = await courseWithTest(3);
    const second = await courseWithTest(4);
    expect((await syncNow(first.teacher, first.examId)).status).to.equal('succeeded');
    expect((await syncNow(second.teacher, second.examId)).status).to.equal('succeeded');
    expect(tokenRequestsSince(before)).to.equal(1);
  });

  it('when jobs ask for the same token at the same moment, then the LMS is asked once and each scope has its own token', async () => {
    await courseWithTest(1);
    world.examgate.serviceTokens.forget();
    const before = world.lms.requestLog.length;
    const tokens = world.examgate.serviceTokens;
    const [a, b, c, grades] = await Promise.all([
      tokens.get(world.lms, SCOPE.nrps),
      tokens.get(world.lms, SCOPE.nrps),
      tokens.get(world.lms, SCOPE.nrps),
      tokens.get(world.lms, SCOPE.agsScore),
    ]);
    expect(new Set([a, b, c]).size).to.equal(1);
    expect(grades).not.to.equal(a);
    expect(tokenRequestsSince(before)).to.equal(2);
  });

  it('when the LMS no longer takes the cached token (401), then one fresh token is fetched and the sync succeeds', async () => {
    const { contextId, teacher, examId } = await courseWithTest(3);
    world.lms.setRoster(contextId, buildLearners(5));
    world.lms.revokeAccessTokens();
    const before = world.lms.requestLog.length;
    const job = await syncNow(teacher, examId);
    expect(job.status, job.error ?? '').to.equal('succeeded');
    expect(JSON.parse(job.result!)).to.include({ members: 5, added: 2 });
    const log = world.lms.requestLog.slice(before).map((r) => r.path);
    // The refused page, the token endpoint, the same page again with the fresh token.
    expect(log.filter((p) => p === '/token' || p.startsWith(`/nrps/${contextId}/`))).to.deep.equal([
      `/nrps/${contextId}/memberships`,
      '/token',
      `/nrps/${contextId}/memberships`,
    ]);
    expect(await candidatesOf(world, examId)).to.have.length(5);

    // The fresh token is kept: the next sync asks for none.
    const after = world.lms.requestLog.length;
    expect((await syncNow(teacher, examId)).status).to.equal('succeeded');
    expect(tokenRequestsSince(after)).to.equal(0);
  });

  it('when the LMS refuses even a fresh token, then the sync fails once with the setting to enable and changes nothing', async () => {
    const { teacher, examId } = await courseWithTest(2);
    const before = world.lms.requestLog.length;
    world.lms.failNrps(401);
    const job = await syncNow(teacher, examId);
    expect(job.status).to.equal('failed');
    expect(job.error).to.contain('HTTP 401 (page 1)');
    expect(job.error).to.contain('IMS LTI Names and Role Provisioning');
    // One refresh, not a loop.
    expect(tokenRequestsSince(before)).to.equal(1);
    expect(await candidatesOf(world, examId)).to.have.length(2);
  });

  it('when the gradebook no longer takes the cached token (401), then the score is posted with one fresh token', async () => {
    const { contextId } = await courseWithTest(1);
    const postScore = createScorePoster(world.examgate.serviceTokens);
    const target = {
      lineItemUrl: null,
      lineItemsUrl: `${world.lms.baseUrl}/ags/${contextId}/lineitems`,
      resourceLinkId: 'rl-token',
      label: 'Token test',
    };
    const scoresBefore = world.lms.scores.length;
    await postScore(world.lms, target, 'u-1', { given: 1, maximum: 2 }, new Date());
    world.lms.revokeAccessTokens();
    const before = world.lms.requestLog.length;
    await postScore(world.lms, target, 'u-1', { given: 2, maximum: 2 }, new Date());
    expect(tokenRequestsSince(before)).to.equal(1);
    expect(world.lms.scores.slice(scoresBefore).map((s) => s.score.scoreGiven)).to.deep.equal([1, 2]);
  });
});
