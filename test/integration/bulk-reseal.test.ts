import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { SecretKeys } from '../../src/config.js';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';
import type { Job } from '../../src/jobs/job.js';
import { createLogger } from '../../src/logger.js';
import { BulkSealedStores } from '../../src/permanent/bulk/bulk-reseal.js';
import { BulkSealedRepository } from '../../src/permanent/bulk/bulk-sealed.repository.js';
import { BulkUploads, PASSWORD_HANDOUT_PURPOSE, PASSWORD_QUEUE_PURPOSE } from '../../src/permanent/bulk/bulk-uploads.service.js';
import { BulkRepository } from '../../src/permanent/bulk/bulk.repository.js';
import { PASSWORD_HASH_JOB, passwordHashingJob } from '../../src/permanent/bulk/password-hashing.job.js';
import { SealedText } from '../../src/secrets/sealed-text.js';
import { PasswordHasher } from '../../src/security/password-hash.js';
import { importBulk, previewBulk, usersOf } from '../support/bulk-upload.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, institutionSignIn, platformIdOf } from '../support/institution.js';

const NEW_SECRET = 'the-rotated-secret-0123456789abcdef012345';

/** A run of the hashing job as the runner would start it (first try of one). */
function hashingRun(platformId: string): { job: Job; progress: () => void } {
  const now = new Date();
  return {
    job: {
      id: 'test-run',
      kind: PASSWORD_HASH_JOB,
      subjectId: platformId,
      status: 'running',
      progress: { done: 0, total: null },
      result: null,
      error: null,
      attempts: 1,
      maxAttempts: 5,
      runAfter: null,
      createdAt: now,
      startedAt: now,
      finishedAt: null,
    },
    progress: () => undefined,
  };
}

describe('SECRET_KEY rotation reaches the bulk upload’s queued passwords and password handouts', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let platformId: string;
  let cookie: string;

  const queueRows = () =>
    world.examgate.sequelize.query<{ user_id: string; sealed: string }>('SELECT user_id, sealed FROM permanent_password_queue', {
      type: QueryTypes.SELECT,
    });
  const handoutRows = () =>
    world.examgate.sequelize.query<{ options_id: string; sealed: string }>('SELECT options_id, sealed FROM permanent_password_handouts', {
      type: QueryTypes.SELECT,
    });

  beforeEach(async () => {
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    cookie = (await institutionSignIn(world, 'exam-office')).cookie;
  });
  afterEach(() => world.examgate.jobs.start());

  it('when the secret is rotated while passwords wait, then start-up re-seals them, a hashing run that read the old seal re-reads it, the password still signs in, and the handout still downloads', async () => {
    // Nothing hashes until this test says so: the passwords stay queued under the old secret.
    await world.examgate.jobs.stop();
    await importBulk(world, cookie, 'Username,Password\r\nq.one,Queued-Pass1\r\ngen.two,\r\n');
    const old = { queue: await queueRows(), handouts: await handoutRows() };
    expect(old.queue).to.have.length(2);
    expect(old.handouts).to.have.length(1);

    const oldOnly = world.config.secretKeys;
    const rotated: SecretKeys = [NEW_SECRET, oldOnly[0]];
    const seals = (keys: SecretKeys) => ({
      queue: new SealedText(keys, PASSWORD_QUEUE_PURPOSE),
      handout: new SealedText(keys, PASSWORD_HANDOUT_PURPOSE),
    });
    const storesUnder = (keys: SecretKeys) =>
      new BulkSealedStores(new BulkSealedRepository(world.examgate.sequelize), seals(keys).queue, seals(keys).handout);

    // The new secret alone (SECRET_KEY_PREVIOUS forgotten) opens none of it: start-up would refuse to run, and nothing is changed.
    expect(await storesUnder([NEW_SECRET]).resealQueue()).to.deep.include({ total: 2, resealed: 0, unreadable: 2 });
    expect(await storesUnder([NEW_SECRET]).resealHandouts()).to.deep.include({ total: 1, resealed: 0, unreadable: 1 });
    expect(await queueRows()).to.deep.equal(old.queue);

    // A hashing run (another process, still running) reads the queue just before this start-up re-seals it.
    const stores = storesUnder(rotated);
    const reports: unknown[] = [];
    class ResealedAfterRead extends BulkRepository {
      #first = true;
      override async nextQueued(of: string, limit: number) {
        const entries = await super.nextQueued(of, limit);
        if (this.#first) {
          this.#first = false;
          reports.push(await stores.resealQueue(), await stores.resealHandouts());
        }
        return entries;
      }
    }
    const run = passwordHashingJob({
      repository: new ResealedAfterRead(world.examgate.sequelize),
      seal: seals(rotated).queue,
      inUnit: unitOfWorkRunner(world.examgate.sequelize),
      log: createLogger(world.config),
      params: new PasswordHasher(world.config.PASSWORD_HASH_COST).params,
    });
    const result = (await run(hashingRun(platformId))) as { hashed: number };
    expect(reports).to.deep.equal([
      { what: 'bulk-upload passwords waiting for their hash', total: 2, resealed: 2, unreadable: 0 },
      { what: 'bulk-upload generated passwords waiting for their download', total: 1, resealed: 1, unreadable: 0 },
    ]);
    // Both hashes of the old read were refused (the entries no longer held what was hashed), then both were hashed again.
    expect(result.hashed).to.equal(4);
    expect(await queueRows()).to.have.length(0);
    expect(
      (await usersOf(world, platformId)).map((u) => [u.username, Boolean(u.password_pending), u.password_hash !== null]),
    ).to.deep.equal([
      ['gen.two', false, true],
      ['q.one', false, true],
    ]);
    expect((await world.examgate.permanentUsers.verify('q.one', 'Queued-Pass1'))?.username).to.equal('q.one');

    // The handout is under the new secret now: the old one alone no longer opens it, the rotated process downloads it once.
    const [handout] = await handoutRows();
    expect(handout!.sealed).not.to.equal(old.handouts[0]!.sealed);
    expect(seals(oldOnly).handout.open(handout!.sealed)).to.equal(null);
    const uploads = new BulkUploads(
      new BulkRepository(world.examgate.sequelize),
      async () => null,
      seals(rotated).queue,
      seals(rotated).handout,
      world.examgate.jobs,
      unitOfWorkRunner(world.examgate.sequelize),
      world.examgate.audit,
    );
    const csv = await uploads.takeHandout(platformId, handout!.options_id, TEST_SETUP);
    const line = csv!.split('\r\n').find((l) => l.startsWith('gen.two,'));
    const password = line!.split(',')[1]!;
    expect(password).to.match(/^[A-Za-z2-9]{14}$/);
    expect((await world.examgate.permanentUsers.verify('gen.two', password))?.username).to.equal('gen.two');

    // Once done, a second start-up finds nothing left under the old secret.
    expect(await stores.resealQueue()).to.deep.include({ total: 0, resealed: 0 });
    expect(await stores.resealHandouts()).to.deep.include({ total: 0, resealed: 0 });
  });

  it('when an upload with a common password was previewed before the rotation, then its common password is re-sealed under the new secret, once', async () => {
    await previewBulk(world, cookie, 'Username\r\nc.one\r\n', { commonPassword: 'Common-Pass1' });
    const optionsRow = async () =>
      (
        await world.examgate.sequelize.query<{ options: string }>('SELECT options FROM permanent_import_options', {
          type: QueryTypes.SELECT,
        })
      ).map((r) => JSON.parse(r.options) as { common: { sealed: string; weak: boolean }; uploadType: string })[0]!;
    const before = await optionsRow();
    const rotated: SecretKeys = [NEW_SECRET, world.config.secretKeys[0]];
    const seal = (keys: SecretKeys) => new SealedText(keys, PASSWORD_QUEUE_PURPOSE);
    const stores = new BulkSealedStores(new BulkSealedRepository(world.examgate.sequelize), seal(rotated), seal(rotated));
    expect(await stores.resealCommonPasswords()).to.deep.equal({
      what: 'bulk-upload common passwords',
      total: 1,
      resealed: 1,
      unreadable: 0,
    });
    const after = await optionsRow();
    expect(seal([NEW_SECRET]).open(after.common.sealed)?.plain).to.equal('Common-Pass1');
    expect(seal(world.config.secretKeys).open(after.common.sealed)).to.equal(null);
    // Only the sealed value changed: the rest of the options are as they were.
    expect({ ...after, common: { ...after.common, sealed: '' } }).to.deep.equal({ ...before, common: { ...before.common, sealed: '' } });
    expect(await stores.resealCommonPasswords()).to.deep.include({ total: 1, resealed: 0, unreadable: 0 });
  });
});
