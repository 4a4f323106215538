import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';
import type { NewMail } from '../../src/mail/outbox.js';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { platformIdOf } from '../support/institution.js';
import { relayTo, TestSmtpServer } from '../support/smtp.js';

interface Row {
  id: string;
  recipient: string;
  status: string;
  attempts: number | string;
  last_error: string | null;
  batch_id: string | null;
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('E-mail in batches: one sending job per ~200 messages, each message with its own status and tries', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let smtp: TestSmtpServer;
  let platformId: string;
  let child: ChildExamgate | null = null;
  const work = tempDir('examgate-mail-crash-');

  const rows = () =>
    world.examgate.sequelize.query<Row>(
      'SELECT id, recipient, status, attempts, last_error, batch_id FROM mail_outbox ORDER BY created_at, id',
      {
        type: QueryTypes.SELECT,
      },
    );
  const jobs = () =>
    world.examgate.sequelize.query<{ kind: string; subject_id: string; status: string; attempts: number | string }>(
      "SELECT kind, subject_id, status, attempts FROM jobs WHERE kind LIKE 'mail.%'",
      { type: QueryTypes.SELECT },
    );
  const mails = (n: number, prefix = 'user'): NewMail[] =>
    Array.from({ length: n }, (_, i) => ({
      platformId,
      purpose: 'registration' as const,
      to: `${prefix}${i}@uni.example`,
      subject: `Welcome ${i}`,
      body: `Body ${i}`,
    }));
  const queue = async (messages: NewMail[]) => {
    await unitOfWorkRunner(world.examgate.sequelize)((unit) => world.examgate.mail.outbox.queueManyIn(unit, messages, TEST_SETUP));
    world.examgate.mail.outbox.committed();
  };
  /** How many times each recipient got a message. */
  const deliveries = () => {
    const counts: Record<string, number> = {};
    for (const mail of smtp.received) {
      counts[mail.to[0]!] = (counts[mail.to[0]!] ?? 0) + 1;
    }
    return counts;
  };

  before(async () => {
    smtp = await TestSmtpServer.start();
  });
  after(async () => {
    await smtp.down();
    work.remove();
  });
  beforeEach(async () => {
    world = await startWorld();
    smtp.received.length = 0;
    smtp.refusal = null;
    smtp.refused = 0;
    smtp.refuseRecipient.clear();
    smtp.stallRecipient = null;
    smtp.stalled = 0;
    platformId = await platformIdOf(world);
    await relayTo(world, smtp.port);
  });
  afterEach(async () => {
    smtp.stallRecipient = null;
    world.examgate.jobs.start();
    await child?.stop();
    child = null;
  });

  it('when 401 messages are queued together, then they make three batch jobs of 200, 200 and 1, and each arrives once', async () => {
    await queue(mails(401));
    const queued = await jobs();
    expect(queued.map((j) => j.kind)).to.deep.equal(['mail.send-batch', 'mail.send-batch', 'mail.send-batch']);
    const sizes = new Map<string | null, number>();
    for (const row of await rows()) {
      sizes.set(row.batch_id, (sizes.get(row.batch_id) ?? 0) + 1);
    }
    expect(sizes.has(null)).to.equal(false);
    expect([...sizes.values()].sort((a, b) => b - a)).to.deep.equal([200, 200, 1]);
    expect(new Set(queued.map((j) => j.subject_id))).to.deep.equal(new Set((await rows()).map((r) => r.batch_id)));
    await smtp.waitFor(401, 60_000);
    await until('all sent', async () => (await rows()).every((r) => r.status === 'sent'));
    expect(Object.values(deliveries()).every((n) => n === 1)).to.equal(true);
    expect(Object.keys(deliveries())).to.have.length(401);
  });

  it('when one message of a batch is refused for good (550) and one for a while (451), then that one fails alone after one try, the other waits and arrives, and the rest arrive exactly once', async () => {
    smtp.refuseRecipient.set('user2@uni.example', { code: 550, message: 'No such mailbox' });
    smtp.refuseRecipient.set('user4@uni.example', { code: 451, message: 'Greylisted', times: 2 });
    await queue(mails(6));
    expect((await jobs()).map((j) => j.kind)).to.deep.equal(['mail.send-batch']);
    await until('every message settled', async () => (await rows()).every((r) => r.status === 'sent' || r.status === 'failed'));
    // Let any further run the batch might wrongly make happen (the runner's backoff base is 200 ms in tests).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const byRecipient = Object.fromEntries((await rows()).map((r) => [r.recipient, r]));
    expect(byRecipient['user2@uni.example']).to.include({ status: 'failed' });
    expect(Number(byRecipient['user2@uni.example']!.attempts)).to.equal(1);
    expect(byRecipient['user2@uni.example']!.last_error).to.contain('No such mailbox');
    expect(byRecipient['user4@uni.example']).to.include({ status: 'sent' });
    expect(Number(byRecipient['user4@uni.example']!.attempts)).to.equal(3);
    for (const n of [0, 1, 3, 5]) {
      expect(byRecipient[`user${n}@uni.example`], `user${n}`).to.include({ status: 'sent' });
      expect(Number(byRecipient[`user${n}@uni.example`]!.attempts), `user${n}`).to.equal(1);
    }
    expect(deliveries()).to.deep.equal({
      'user0@uni.example': 1,
      'user1@uni.example': 1,
      'user3@uni.example': 1,
      'user4@uni.example': 1,
      'user5@uni.example': 1,
    });
    const [job] = await jobs();
    expect(job).to.include({ status: 'succeeded' });
    expect(Number(job!.attempts)).to.equal(3);
  });

  it('when the relay cannot be reached, then a batch run stops at the first message and every message waits with the reason, then all arrive once it is back', async () => {
    await smtp.down();
    try {
      await queue(mails(5));
      await until('all waiting', async () => (await rows()).every((r) => r.status === 'retrying'));
      const waiting = await rows();
      expect(waiting.every((r) => r.last_error?.includes('could not be reached'))).to.equal(true);
      // Only the first message was tried each run: the others were not knocked on 5 times.
      expect(waiting.slice(1).every((r) => Number(r.attempts) === 0)).to.equal(true);
    } finally {
      await smtp.up();
    }
    await smtp.waitFor(5);
    await until('all sent', async () => (await rows()).every((r) => r.status === 'sent'));
    expect(Object.values(deliveries())).to.deep.equal([1, 1, 1, 1, 1]);
  });

  it('when the process sending a batch is killed mid-batch, then the process that takes it over sends the rest, and nothing marked sent goes out twice', async () => {
    await world.examgate.jobs.stop();
    await queue(mails(6));
    // A batch is sent in id order; the relay hangs on the fourth, after three were sent and marked so.
    const order = (await rows()).map((r) => r.recipient);
    smtp.stallRecipient = order[3]!;
    child = await startChildExamgate({
      cwd: work.dir,
      env: {
        NODE_ENV: 'test',
        DATABASE_URL: world.config.DATABASE_URL,
        SECRET_KEY: world.config.SECRET_KEY,
        JOB_LEASE_SECONDS: '2',
        JOB_POLL_INTERVAL_MS: '100',
        ROSTER_SYNC_INTERVAL_MINUTES: '0',
      },
    });
    await until('the child hangs on the fourth message', () => smtp.stalled > 0);
    const before = await rows();
    expect(before.map((r) => r.status)).to.deep.equal(['sent', 'sent', 'sent', 'sending', 'queued', 'queued']);

    process.kill(child.pid, 'SIGKILL');
    await until('the child died', () => !child!.alive());
    smtp.stallRecipient = null;
    world.examgate.jobs.start();
    world.examgate.jobs.nudge();
    await until('all sent', async () => (await rows()).every((r) => r.status === 'sent'), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(deliveries()).to.deep.equal(Object.fromEntries(order.map((to) => [to, 1])));
    const after = await rows();
    expect(after.map((r) => Number(r.attempts))).to.deep.equal([1, 1, 1, 2, 1, 1]);
    const [job] = await jobs();
    expect(job).to.include({ status: 'succeeded' });
    expect(Number(job!.attempts), 'one run in the child, one here').to.equal(2);
  });
});
