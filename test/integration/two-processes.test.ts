import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { Browser, ROLE_INSTRUCTOR, type SimulatedLms } from '../../src/lms-sim/index.js';
import { freePort, startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { startLms, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { buildExamForm, csrfOf } from '../support/course-session.js';
import { LoadBalancer } from '../support/load-balancer.js';
import { buildLearners, candidatesOf } from '../support/roster.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? '';

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// Two processes share a database only through a server: a SQLite file belongs to the processes
// of one machine and is not how examgate scales out, so this runs on PostgreSQL only.
if (databaseUrl.startsWith('postgres')) {
  describe('Two examgate processes on one PostgreSQL (behind a load balancer)', function () {
    this.timeout(180_000);
    let world: TestWorld;
    let a: ChildExamgate;
    let b: ChildExamgate;
    let lb: LoadBalancer;
    let lms: SimulatedLms;
    let work: ReturnType<typeof tempDir>;
    let course = 0;

    before(async () => {
      world = await startWorld();
      // Only the two children take jobs while these tests run.
      await world.examgate.jobs.stop();
      work = tempDir('examgate-two-');
      const publicPort = await freePort();
      const env = {
        NODE_ENV: 'test',
        DATABASE_URL: databaseUrl,
        PUBLIC_URL: `http://127.0.0.1:${publicPort}`,
        JOB_POLL_INTERVAL_MS: '100',
        ROSTER_SYNC_INTERVAL_MINUTES: '0',
      };
      [a, b] = await Promise.all([startChildExamgate({ cwd: work.dir, env }), startChildExamgate({ cwd: work.dir, env })]);
      lb = new LoadBalancer({ a: a.url, b: b.url }, publicPort);
      await lb.start();
      lms = await startLms(`two-${Date.now()}`, 'two-deployment', lb.url);
      await world.examgate.platforms.register(lms.registration, TEST_SETUP);
    });
    after(async () => {
      await Promise.all([a?.stop(), b?.stop(), lb?.close(), lms?.close()]);
      world.examgate.jobs.start();
      work.remove();
    });
    afterEach(() => {
      lb.routes.clear();
      lb.mode = 'a';
    });

    async function instructor(contextId: string) {
      const browser = new Browser();
      const landing = await lms.launch(browser, { user: { sub: 'teacher-1' }, roles: [ROLE_INSTRUCTOR], context: { id: contextId } });
      expect(landing.status, landing.body).to.equal(200);
      return browser;
    }

    async function createExam(browser: Browser, title: string): Promise<string> {
      const form = await browser.follow(`${lb.url}/app/exams/new`);
      const created = await browser.follow(`${lb.url}/app/exams`, {
        method: 'POST',
        form: { _csrf: csrfOf(form.body), ...buildExamForm({ title }) },
      });
      const id = /\/app\/exams\/([0-9a-f-]{36})\?done=created$/.exec(created.url)?.[1];
      if (!id) {
        throw new Error(`creating a test failed (${created.response.status}): ${created.body.slice(0, 300)}`);
      }
      return id;
    }

    const syncJobsOf = (examIds: string[]) =>
      world.examgate.sequelize.query<{ subject_id: string; status: string; attempts: number }>(
        `SELECT subject_id, status, attempts FROM jobs WHERE kind = 'roster-sync' AND subject_id IN (:examIds)`,
        { replacements: { examIds }, type: QueryTypes.SELECT },
      );

    it('when the login starts on A and the LMS posts its answer to B, then the launch completes on B', async () => {
      lb.routes.set('/lti/login', 'a');
      lb.routes.set('/lti/launch', 'b');
      const before = { ...lb.served };
      await instructor(`two-login-${(course += 1)}`);
      expect(lb.served.a - before.a, 'the login initiation reached A').to.be.at.least(1);
      expect(lb.served.b - before.b, 'the launch reached B').to.be.at.least(1);
    });

    it('when jobs are queued on A while A and B both take jobs, then each runs exactly once', async () => {
      const contextId = `two-jobs-${(course += 1)}`;
      lms.setRoster(contextId, buildLearners(3));
      const browser = await instructor(contextId);
      const logBefore = lms.requestLog.length;
      const examIds: string[] = [];
      for (let i = 0; i < 6; i += 1) {
        examIds.push(await createExam(browser, `Once ${i}`));
      }
      await until(async () => (await syncJobsOf(examIds)).filter((j) => j.status === 'succeeded').length === 6, 'six syncs done');
      const jobs = await syncJobsOf(examIds);
      expect(jobs).to.have.length(6);
      expect(jobs.every((j) => Number(j.attempts) === 1)).to.equal(true);
      const rosterPages = lms.requestLog.slice(logBefore).filter((r) => r.path.startsWith(`/nrps/${contextId}/`));
      expect(rosterPages, 'one roster page per sync, none twice').to.have.length(6);
      for (const examId of examIds) {
        expect(await candidatesOf(world, examId)).to.have.length(3);
      }
    });

    it('when A and B add candidates to one nearly full test at the same moment, then the 1500 cap holds and every refusal says why', async () => {
      const contextId = `two-cap-${(course += 1)}`;
      lms.setRoster(contextId, buildLearners(1480));
      const browser = await instructor(contextId);
      const examId = await createExam(browser, 'Full house');
      await until(async () => (await syncJobsOf([examId]))[0]?.status === 'succeeded', 'the roster sync', 60_000);
      expect(await candidatesOf(world, examId)).to.have.length(1480);

      const page = await browser.follow(`${lb.url}/app/exams/${examId}/candidates?q=nobody`);
      const csrf = csrfOf(page.body);
      lb.mode = 'round-robin';
      const before = { ...lb.served };
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          browser.follow(`${lb.url}/app/exams/${examId}/candidates`, {
            method: 'POST',
            form: { _csrf: csrf, candidateId: `walk-in-${i}` },
          }),
        ),
      );
      expect(lb.served.a - before.a, 'A took some').to.be.greaterThan(0);
      expect(lb.served.b - before.b, 'B took some').to.be.greaterThan(0);
      const refused = answers.filter((r) => r.response.status === 400);
      const accepted = answers.filter((r) => r.response.status === 200);
      expect(accepted.length + refused.length).to.equal(40);
      for (const r of refused) {
        expect(r.body).to.contain('A test holds at most 1500 candidates. No more fit; you tried to add 1.');
      }
      const active = (await candidatesOf(world, examId)).filter((c) => c.status === 'active');
      expect(active).to.have.length(1500);
      expect(accepted).to.have.length(20);
    });
  });
}
