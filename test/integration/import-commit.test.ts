import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { candidatesPath, commitPreview, oneTimeRowsOf, uploadFile } from '../support/one-time.js';

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const rows = (count: number, prefix = 'K') =>
  `Candidate ID,Extra time\r\n${Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')},${i % 3}`).join('\r\n')}\r\n`;

describe('CSV import: the cap, conflicts, walls, the job path and a process killed mid-commit', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let n = 0;
  let child: ChildExamgate | null = null;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(async () => {
    world.examgate.imports.settings.jobRows = world.config.IMPORT_JOB_ROWS;
    world.examgate.jobs.start();
    await child?.stop();
    child = null;
  });

  async function courseWithTest() {
    n += 1;
    const context = { id: `import-${n}-${Date.now()}`, title: 'Physics' };
    world.lms.setRoster(context.id, []);
    const teacher = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Optics' });
    return { teacher, examId, context };
  }

  const importOf = async (id: string) =>
    (
      await world.examgate.sequelize.query<{ status: string; job_id: string | null }>('SELECT status, job_id FROM imports WHERE id = :id', {
        replacements: { id },
        type: QueryTypes.SELECT,
      })
    )[0];

  it('when a file would pass the 1500 cap, then the preview says by how much and offers no commit', async () => {
    const { teacher, examId } = await courseWithTest();
    const preview = await uploadFile(world, teacher, examId, 'rows-1501.csv', rows(1501));
    expect(preview.body).to.contain('1501 to add').and.contain('1501 of 1500 after this import: 1 too many.');
    expect(preview.body).not.to.contain('/commit"');
    const forced = await teacher.post(`${new URL(preview.url).pathname}/commit`, {}, candidatesPath(examId));
    expect(forced.response.status).to.equal(409);
    expect(forced.body).to.contain('This import would make 1501 candidates on a test of at most 1500. Nothing was imported.');
    expect(await oneTimeRowsOf(world, examId)).to.have.length(0);
  });

  it('when an ID is taken by another kind of candidate, or the test changes after the preview, then it is rejected or the commit writes nothing', async () => {
    const { teacher, examId } = await courseWithTest();
    const page = candidatesPath(examId);
    await teacher.post(page, { candidateId: 'M-1' }, page);
    const preview = await uploadFile(world, teacher, examId, 'a.csv', 'Candidate ID\nM-1\nN-1\nN-2\n');
    expect(preview.body).to.contain('&quot;M-1&quot; is already on this test as a manual candidate.').and.contain('2 to add');
    await teacher.post(page, { candidateId: 'N-2' }, page);
    const refused = await commitPreview(teacher, preview);
    expect(refused.response.status).to.equal(409);
    expect(refused.body).to.contain('The test&#39;s candidates changed since this preview was made. Nothing was imported');
    expect((await oneTimeRowsOf(world, examId)).map((r) => r.candidate_id)).to.deep.equal(['M-1', 'N-2']);
  });

  it('when staff of another course ask for a preview, its commit or its report, then they get 404', async () => {
    const { teacher, examId } = await courseWithTest();
    const preview = await uploadFile(world, teacher, examId, 'a.csv', 'Candidate ID\nW-1\n');
    const path = new URL(preview.url).pathname;
    const other = await courseWithTest();
    const otherPath = path.replace(examId, other.examId);
    for (const url of [otherPath, `${otherPath}/report.csv`, `${otherPath}/status`]) {
      expect((await other.teacher.get(url)).response.status, url).to.equal(404);
    }
    expect((await other.teacher.get(path)).response.status).to.equal(404);
    expect((await other.teacher.post(`${otherPath}/commit`, {}, candidatesPath(other.examId))).response.status).to.equal(404);
    expect(await oneTimeRowsOf(world, examId)).to.have.length(0);
  });

  it('when a commit has more rows than IMPORT_JOB_ROWS, then it runs as a job with a progress bar and ends in the report', async () => {
    const { teacher, examId } = await courseWithTest();
    world.examgate.imports.settings.jobRows = 10;
    const preview = await uploadFile(world, teacher, examId, 'big.csv', rows(300));
    const page = await commitPreview(teacher, preview);
    const id = new URL(page.url).pathname.split('/').pop()!;
    expect(page.body).to.match(/id="import-progress"|Imported: 300 added/);
    await until(async () => (await importOf(id))?.status === 'committed', 'the job committed');
    const status = await teacher.get(`${new URL(page.url).pathname}/status`);
    expect(JSON.parse(status.body)).to.deep.equal({ status: 'committed', done: 300, total: 300 });
    expect((await teacher.get(new URL(page.url).pathname)).body)
      .to.contain('Import report: big.csv')
      .and.contain('300 to add (added)');
    expect(await oneTimeRowsOf(world, examId)).to.have.length(300);
  });

  it('when the process committing a large import is killed (SIGKILL), then all rows or none are there, and the job then finishes it once', async () => {
    const { teacher, examId } = await courseWithTest();
    const work = tempDir('examgate-import-crash-');
    try {
      world.examgate.imports.settings.jobRows = 0;
      // Only the child takes jobs until it is gone.
      await world.examgate.jobs.stop();
      child = await startChildExamgate({
        cwd: work.dir,
        env: { NODE_ENV: 'test', DATABASE_URL: world.config.DATABASE_URL, JOB_LEASE_SECONDS: '2', JOB_POLL_INTERVAL_MS: '50' },
      });
      const preview = await uploadFile(world, teacher, examId, 'rows-1500.csv', rows(1500));
      const queued = await commitPreview(teacher, preview);
      const id = new URL(queued.url).pathname.split('/').pop()!;
      expect(queued.body).to.contain('id="import-progress"');
      const jobId = (await importOf(id))!.job_id!;
      await until(async () => {
        const [job] = await world.examgate.sequelize.query<{ status: string }>('SELECT status FROM jobs WHERE id = :jobId', {
          replacements: { jobId },
          type: QueryTypes.SELECT,
        });
        return job?.status !== 'queued';
      }, 'the child took the job');
      process.kill(child.pid, 'SIGKILL');
      await until(() => !child!.alive(), 'the child died');

      const afterKill = (await oneTimeRowsOf(world, examId)).length;
      expect([0, 1500], `${afterKill} rows after the kill`).to.include(afterKill);
      world.examgate.jobs.start();
      await until(async () => (await importOf(id))?.status === 'committed', 'the job committed after the crash', 60_000).catch(
        async (err: unknown) => {
          const jobs = await world.examgate.sequelize.query(
            'SELECT status, attempts, max_attempts, error, locked_until FROM jobs WHERE id = :jobId',
            {
              replacements: { jobId },
              type: QueryTypes.SELECT,
            },
          );
          throw new Error(
            `${String(err)}; import ${JSON.stringify(await importOf(id))}; job ${JSON.stringify(jobs)}; child ${child?.output().stderr.slice(-2000)}`,
          );
        },
      );
      const stored = await oneTimeRowsOf(world, examId);
      expect(stored).to.have.length(1500);
      expect(new Set(stored.map((r) => r.candidate_id)).size).to.equal(1500);
      expect(stored.every((r) => r.username !== null)).to.equal(true);
    } finally {
      work.remove();
    }
  });
});
