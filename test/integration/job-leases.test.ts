import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { JobRepository } from '../../src/jobs/job.repository.js';
import { JobRunner, type JobRunnerSettings } from '../../src/jobs/job.runner.js';
import type { Job } from '../../src/jobs/job.js';
import { createLogger } from '../../src/logger.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';

/** A promise a test resolves when it chooses: a job handler that works until told to stop. */
function gate() {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { open, opened };
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// Runners of their own, on kinds only these tests register, so the app's runner leaves the jobs alone.
describe('Job leases, heartbeats and concurrency (real database)', () => {
  let world: TestWorld;
  let repository: JobRepository;
  const runners: JobRunner[] = [];
  const log = createLogger({ LOG_LEVEL: 'silent' });
  const runner = (settings: Partial<JobRunnerSettings> = {}) => {
    const made = new JobRunner(repository, log, { pollIntervalMs: 0, concurrency: 1, leaseMs: 60_000, retryBaseMs: 50, ...settings });
    runners.push(made);
    made.start();
    return made;
  };
  const jobRow = async (id: string) => (await repository.find(id)) as Job;

  before(async () => {
    world = await startWorld();
    repository = new JobRepository(world.examgate.sequelize);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });

  it('when a lease runs out, then another runner takes the job over and the first runner cannot overwrite its result', async () => {
    const kind = `lease-${randomUUID().slice(0, 8)}`;
    const release = gate();
    let firstStarted = false;
    const first = runner();
    first.register(kind, async () => {
      firstStarted = true;
      await release.opened;
      return { by: 'first' };
    });
    const job = await first.enqueue(kind, randomUUID());
    await until(async () => firstStarted);
    // As if the first runner's heartbeats could not reach the database for longer than the lease.
    await world.examgate.sequelize.query('UPDATE jobs SET locked_until = :past WHERE id = :id', {
      replacements: { id: job.id, past: new Date(Date.now() - 1_000) },
    });

    const second = runner();
    second.register(kind, async () => ({ by: 'second' }));
    second.nudge();
    await until(async () => (await jobRow(job.id)).status === 'succeeded');

    release.open();
    await first.stop();
    const after = await jobRow(job.id);
    expect(after.result).to.deep.equal({ by: 'second' });
    expect(after.attempts, 'the takeover is a second run').to.equal(2);
    expect(after.status).to.equal('succeeded');
  });

  it('when a job runs longer than its lease without reporting progress, then the heartbeat keeps it and no other runner takes it', async () => {
    const kind = `heartbeat-${randomUUID().slice(0, 8)}`;
    const release = gate();
    const holder = runner({ leaseMs: 600 });
    holder.register(kind, async () => {
      await release.opened;
      return { by: 'holder' };
    });
    let stolen = 0;
    const rival = runner({ pollIntervalMs: 50, leaseMs: 600 });
    rival.register(kind, async () => {
      stolen += 1;
      return { by: 'rival' };
    });
    const job = await holder.enqueue(kind, randomUUID());
    await until(async () => (await jobRow(job.id)).status === 'running');
    // Three leases' worth of time pass while the rival keeps looking.
    await new Promise((resolve) => setTimeout(resolve, 1_800));
    release.open();
    await until(async () => (await jobRow(job.id)).status === 'succeeded');
    expect(stolen).to.equal(0);
    expect(await jobRow(job.id)).to.include({ attempts: 1 });
    expect((await jobRow(job.id)).result).to.deep.equal({ by: 'holder' });
  });

  it('when one job hangs, then the runner goes on with the others in its other slots', async () => {
    const kind = `slots-${randomUUID().slice(0, 8)}`;
    const release = gate();
    const both = runner({ concurrency: 2 });
    both.register(kind, async ({ job }) => {
      if (job.subjectId === 'hung') {
        await release.opened;
      }
      return { subject: job.subjectId };
    });
    const hung = await both.enqueue(kind, 'hung');
    await until(async () => (await jobRow(hung.id)).status === 'running');
    const quick = await both.enqueue(kind, 'quick');
    await until(async () => (await jobRow(quick.id)).status === 'succeeded');
    expect((await jobRow(hung.id)).status, 'the hung job is still running').to.equal('running');
    release.open();
    await until(async () => (await jobRow(hung.id)).status === 'succeeded');
  });

  it('when a run fails, then the job waits with its reason and is tried again until it succeeds; a permanent error is not retried', async () => {
    const kind = `retry-${randomUUID().slice(0, 8)}`;
    const worker = runner();
    let calls = 0;
    worker.register(
      kind,
      async ({ job }) => {
        calls += 1;
        if (job.subjectId === 'permanent') {
          throw Object.assign(new Error('The service is switched off.'), { permanent: true });
        }
        if (job.attempts < 3) {
          throw new Error(`passing trouble ${job.attempts}`);
        }
        return { ok: true };
      },
      { maxAttempts: 4 },
    );
    const flaky = await worker.enqueue(kind, 'flaky');
    await until(async () => (await jobRow(flaky.id)).status === 'retrying');
    const waiting = await jobRow(flaky.id);
    expect(waiting.error).to.equal('passing trouble 1');
    expect(waiting.runAfter!.getTime()).to.be.greaterThan(waiting.startedAt!.getTime());
    await until(async () => (await jobRow(flaky.id)).status === 'succeeded');
    expect(await jobRow(flaky.id)).to.include({ attempts: 3, maxAttempts: 4 });

    const before = calls;
    const permanent = await worker.enqueue(kind, 'permanent');
    await until(async () => (await jobRow(permanent.id)).status === 'failed');
    expect(await jobRow(permanent.id)).to.include({ attempts: 1, error: 'The service is switched off.' });
    expect(calls - before).to.equal(1);
  });

  it('when every try fails, then the job fails with the last reason after the limit', async () => {
    const kind = `limit-${randomUUID().slice(0, 8)}`;
    const worker = runner();
    worker.register(kind, async ({ job }) => Promise.reject(new Error(`try ${job.attempts} failed`)), { maxAttempts: 3 });
    const job = await worker.enqueue(kind, randomUUID());
    await until(async () => (await jobRow(job.id)).status === 'failed');
    expect(await jobRow(job.id)).to.include({ attempts: 3, error: 'try 3 failed' });
    const [row] = await world.examgate.sequelize.query<{ lease_token: string | null }>('SELECT lease_token FROM jobs WHERE id = :id', {
      replacements: { id: job.id },
      type: QueryTypes.SELECT,
    });
    expect(row!.lease_token, 'the last holder keeps its token; nobody else can write').to.be.a('string');
  });

  it("when a job's process died on every run it had, then it is failed with a reason instead of taken over again", async () => {
    const kind = `crashy-${randomUUID().slice(0, 8)}`;
    const worker = runner();
    let ran = 0;
    worker.register(kind, async () => {
      ran += 1;
      return {};
    });
    const job = await repository.insert(kind, randomUUID(), 1);
    // Three runs (its one try plus the crash allowance), each ended by its process dying.
    await world.examgate.sequelize.query(`UPDATE jobs SET status = 'running', attempts = 3, locked_until = :past WHERE id = :id`, {
      replacements: { id: job.id, past: new Date(Date.now() - 1_000) },
    });
    worker.nudge();
    await until(async () => (await jobRow(job.id)).status === 'failed');
    expect((await jobRow(job.id)).error).to.contain('Every run of this job ended with its process stopping before it finished');
    expect(ran).to.equal(0);
  });
});
