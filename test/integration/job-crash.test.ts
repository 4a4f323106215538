import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { buildLearners, candidatesOf, settledSync } from '../support/roster.js';

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('A process killed mid-job (a real examgate process, SIGKILL)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let child: ChildExamgate | null = null;
  let work: ReturnType<typeof tempDir>;
  before(async () => {
    world = await startWorld();
    work = tempDir('examgate-crash-');
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(async () => {
    world.lms.stallNrps(null);
    world.examgate.jobs.start();
    await child?.stop();
    child = null;
  });
  after(() => work.remove());

  it('when the process running a roster sync is killed, then another process takes the job over once its lease runs out and finishes it', async () => {
    const contextId = `crash-${Date.now()}`;
    world.lms.setRoster(contextId, buildLearners(3));
    const teacher = await instructorOf(world, { id: contextId });
    const examId = await createExam(teacher);
    await settledSync(world, examId);

    // From here on only the child takes jobs: this process stops looking until the child is gone.
    await world.examgate.jobs.stop();
    child = await startChildExamgate({
      cwd: work.dir,
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: world.config.DATABASE_URL,
        JOB_LEASE_SECONDS: '2',
        JOB_POLL_INTERVAL_MS: '100',
        NRPS_PAGE_TIMEOUT_SECONDS: '60',
        ROSTER_SYNC_INTERVAL_MINUTES: '0',
      },
    });
    world.lms.setRoster(contextId, buildLearners(40));
    world.lms.stallNrps(0);
    const logBefore = world.lms.requestLog.length;
    const started = await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
    expect(started.response.status).to.equal(200);
    const jobOf = async () =>
      (
        await world.examgate.sequelize.query<{ id: string; status: string; attempts: number }>(
          `SELECT id, status, attempts FROM jobs WHERE kind = 'roster-sync' AND subject_id = :examId ORDER BY created_at DESC`,
          { replacements: { examId }, type: QueryTypes.SELECT },
        )
      )[0];
    // The child claimed the job and is waiting for a roster page that will not come.
    await until(
      () => world.lms.requestLog.slice(logBefore).some((r) => r.path.startsWith(`/nrps/${contextId}/`)),
      'the child asked for the roster',
    );
    expect(await jobOf()).to.include({ status: 'running' });

    process.kill(child.pid, 'SIGKILL');
    await until(() => !child!.alive(), 'the child died');
    world.lms.stallNrps(null);
    world.examgate.jobs.start();

    const finished = await settledSync(world, examId, 30_000);
    expect(finished.status, finished.error ?? '').to.equal('succeeded');
    expect(Number((await jobOf())!.attempts), 'one run in the child, one here').to.equal(2);
    expect(await candidatesOf(world, examId)).to.have.length(40);
  });
});
