import { expect } from 'chai';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { commitBulk, previewBulk } from '../support/bulk-upload.js';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, institutionSignIn, platformIdOf } from '../support/institution.js';

const STALL = path.resolve(import.meta.dirname, '..', 'support', 'bulk-commit-stall.preload.ts');
/** Above IMPORT_JOB_ROWS (2000 by default): the commit goes as a job without lowering any setting. */
const USERS = 2500;

async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Seed 004's columns, no passwords: every one is generated, queued for its hash and offered once as a download. */
const usersFile = () =>
  [
    'Username,First Name,Last Name,Email,Password',
    ...Array.from({ length: USERS }, (_, i) => `crash${i},Kari,Nordmann${i},crash${i}@uni.example,`),
    '',
  ].join('\r\n');

describe('Bulk upload: a process killed (SIGKILL) in the middle of the commit job', function () {
  this.timeout(180_000);
  let world: TestWorld;
  let platformId: string;
  let cookie: string;
  const children: ChildExamgate[] = [];
  let work: ReturnType<typeof tempDir>;

  before(async () => {
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    cookie = (await institutionSignIn(world, 'exam-office')).cookie;
    work = tempDir('examgate-bulk-crash-');
  });
  after(async () => {
    await Promise.all(children.map((c) => c.stop()));
    world.examgate.jobs.start();
    work.remove();
  });

  const count = async (sql: string, replacements: Record<string, unknown> = {}) =>
    Number(
      (
        await world.examgate.sequelize.query<{ n: number | string }>(sql, {
          replacements: { platformId, ...replacements },
          type: QueryTypes.SELECT,
        })
      )[0]?.n ?? 0,
    );
  const users = () => count('SELECT COUNT(*) AS n FROM permanent_users WHERE platform_id = :platformId');
  const queued = () => count('SELECT COUNT(*) AS n FROM permanent_password_queue WHERE platform_id = :platformId');
  /** Queue entries without their user, and users waiting for a hash with no entry to make it from. */
  const orphans = async () => ({
    entriesWithoutUser: await count(
      `SELECT COUNT(*) AS n FROM permanent_password_queue q LEFT JOIN permanent_users u ON u.id = q.user_id
        WHERE q.platform_id = :platformId AND u.id IS NULL`,
    ),
    pendingWithoutEntry: await count(
      `SELECT COUNT(*) AS n FROM permanent_users u LEFT JOIN permanent_password_queue q ON q.user_id = u.id
        WHERE u.platform_id = :platformId AND u.password_pending = :yes AND q.user_id IS NULL`,
      { yes: true },
    ),
  });
  const childEnv = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'test',
    DATABASE_URL: world.config.DATABASE_URL,
    JOB_LEASE_SECONDS: '2',
    JOB_POLL_INTERVAL_MS: '50',
    ...extra,
  });
  const commitJobs = (importId: string) =>
    world.examgate.sequelize.query<{ status: string; attempts: number | string }>(
      `SELECT status, attempts FROM jobs WHERE kind = 'import-commit' AND subject_id = :importId`,
      { replacements: { importId }, type: QueryTypes.SELECT },
    );

  it('when the process is killed with a batch of users written, then none exist and no password is queued; after a restart the job commits every user once and all get their hash', async () => {
    // From here on only the children take jobs.
    await world.examgate.jobs.stop();
    const marker = path.join(work.dir, 'stalled');
    const first = await startChildExamgate({ cwd: work.dir, env: childEnv({ BULK_STALL_MARKER: marker }), imports: [STALL] });
    children.push(first);

    const preview = await previewBulk(world, cookie, usersFile(), { uploadType: 'add-update', newPassword: 'create' });
    expect(preview.text).to.contain(`${USERS} to add`);
    const committed = await commitBulk(world, cookie, preview);
    expect(committed.status).to.equal(303);
    const importId = preview.path.split('/').pop()!;
    const optionsId = preview.path.split('/')[4]!;

    await until(() => existsSync(marker), 'the child wrote its first batch of users inside the commit');
    expect(await commitJobs(importId)).to.deep.include({ status: 'running', attempts: 1 });
    process.kill(first.pid, 'SIGKILL');
    await until(() => !first.alive(), 'the child died');

    expect(await users(), 'none of the upload is there: the commit never ended').to.equal(0);
    expect(await queued()).to.equal(0);
    expect(await orphans()).to.deep.equal({ entriesWithoutUser: 0, pendingWithoutEntry: 0 });
    expect(await count('SELECT COUNT(*) AS n FROM permanent_password_handouts WHERE platform_id = :platformId')).to.equal(0);

    // The restart: a process without the stall takes the job over once the dead one's lease runs out.
    children.push(await startChildExamgate({ cwd: work.dir, env: childEnv() }));
    const importStatus = async () =>
      (
        await world.examgate.sequelize.query<{ status: string }>('SELECT status FROM imports WHERE id = :importId', {
          replacements: { importId },
          type: QueryTypes.SELECT,
        })
      )[0]?.status;
    // The import is committed with the users; the job's own outcome is recorded just after.
    await until(
      async () => (await importStatus()) === 'committed' && (await commitJobs(importId))[0]?.status !== 'running',
      'the job committed after the restart',
    );

    const jobs = await commitJobs(importId);
    expect(
      jobs.map((j) => ({ status: j.status, attempts: Number(j.attempts) })),
      'one job: the killed run and the one that finished',
    ).to.deep.equal([{ status: 'succeeded', attempts: 2 }]);
    expect(await users()).to.equal(USERS);
    expect(await count('SELECT COUNT(DISTINCT username_key) AS n FROM permanent_users WHERE platform_id = :platformId')).to.equal(USERS);
    expect(
      await count(`SELECT COUNT(*) AS n FROM audit_entries WHERE platform_id = :platformId AND action = 'import'`),
      'one import in the audit trail',
    ).to.equal(1);
    expect(
      await count('SELECT COUNT(*) AS n FROM permanent_password_handouts WHERE options_id = :optionsId AND count = :users', {
        optionsId,
        users: USERS,
      }),
      'one download of the generated passwords, for every user',
    ).to.equal(1);
    expect(await orphans()).to.deep.equal({ entriesWithoutUser: 0, pendingWithoutEntry: 0 });

    await until(async () => (await queued()) === 0, 'the hashing job emptied the queue', 120_000);
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM permanent_users WHERE platform_id = :platformId AND password_pending = :no AND password_hash IS NOT NULL',
        { no: false },
      ),
      'every user has a hash',
    ).to.equal(USERS);
  });
});
