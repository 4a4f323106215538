import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { connectSequelize } from '../../src/db/sequelize.js';
import { LoginRequestRepository } from '../../src/lti/login-request.repository.js';
import { LoginThrottle } from '../../src/throttle/login-throttle.js';
import { ThrottledError } from '../../src/throttle/throttle.errors.js';
import { ThrottleRepository } from '../../src/throttle/throttle.repository.js';
import { ThrottleService, type ThrottleRule } from '../../src/throttle/throttle.service.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/** A clock the test moves by hand; both "processes" of a test read the same one. */
function manualClock(start: number) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

async function refusal(attempt: Promise<unknown>): Promise<ThrottledError | null> {
  try {
    await attempt;
    return null;
  } catch (err) {
    if (err instanceof ThrottledError) {
      return err;
    }
    throw err;
  }
}

describe('throttle over the database', () => {
  let world: TestWorld;
  // A second connection pool of its own: what another examgate process would hold.
  let otherProcessDb: Sequelize;
  const clock = manualClock(Date.UTC(2026, 11, 1, 20, 0, 0));
  const rule: ThrottleRule = { bucket: 'test-attempts', limit: 5, windowSeconds: 60 };
  let processA: ThrottleService;
  let processB: ThrottleService;

  before(async () => {
    world = await startWorld();
    otherProcessDb = await connectSequelize(parseDatabaseUrl(world.config.DATABASE_URL));
    processA = new ThrottleService(new ThrottleRepository(world.examgate.sequelize), clock.now);
    processB = new ThrottleService(new ThrottleRepository(otherProcessDb), clock.now);
  });
  after(() => otherProcessDb.close());
  /** An LTI login's request row, which a count can guard (countThenInsert). */
  const login = (state: string) =>
    new LoginRequestRepository(world.examgate.sequelize).newLogin(
      state,
      `nonce-${state}`,
      { iss: 'https://lms.example' },
      'https://lms.example/auth',
      60_000,
    );
  beforeEach(() => resetLaunchState(world));

  it('when two service instances on separate connections count one key, then they share the count', async () => {
    for (const service of [processA, processB, processA, processB, processA]) {
      await service.count({ rule, key: '203.0.113.7' });
    }
    const refusedOnB = await refusal(processB.count({ rule, key: '203.0.113.7' }));
    const refusedOnA = await refusal(processA.count({ rule, key: '203.0.113.7' }));
    expect(refusedOnB).to.be.instanceOf(ThrottledError);
    expect(refusedOnA).to.be.instanceOf(ThrottledError);
    // Another key has its own count.
    expect(await refusal(processB.count({ rule, key: '198.51.100.1' }))).to.equal(null);
  });

  it('when both instances count at the same moment, then no hit is lost', async () => {
    const many: ThrottleRule = { bucket: 'test-concurrent', limit: 1000, windowSeconds: 60 };
    await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? processA : processB).count({ rule: many, key: 'k' })));
    const [row] = await world.examgate.sequelize.query<{ hits: number | string }>(
      "SELECT hits FROM throttle_counters WHERE bucket = 'test-concurrent'",
      { type: QueryTypes.SELECT },
    );
    expect(Number(row?.hits)).to.equal(60);
  });

  it('when a key is refused, then Retry-After is what is left of the window, and the next window starts afresh', async () => {
    clock.advance(60_000 - (clock.now() % 60_000) + 15_000); // 15 s into a window
    for (let i = 0; i < 5; i++) {
      await processA.count({ rule, key: 'k' });
    }
    const refused = await refusal(processB.count({ rule, key: 'k' }));
    expect(refused?.retryAfterSeconds).to.equal(45);
    expect(refused?.retryAt.getTime()).to.equal(clock.now() + 45_000);
    clock.advance(45_000);
    expect(await refusal(processB.count({ rule, key: 'k' }))).to.equal(null);
  });

  it('when a rule has limit 0, then it is off and counts nothing', async () => {
    const off: ThrottleRule = { bucket: 'test-off', limit: 0, windowSeconds: 60 };
    for (let i = 0; i < 3; i++) {
      await processA.count({ rule: off, key: 'k' });
    }
    const rows = await world.examgate.sequelize.query("SELECT * FROM throttle_counters WHERE bucket = 'test-off'", {
      type: QueryTypes.SELECT,
    });
    expect(rows).to.have.length(0);
  });

  it('when housekeeping runs, then only counters whose window has ended are deleted', async () => {
    const short: ThrottleRule = { bucket: 'test-short', limit: 5, windowSeconds: 60 };
    const long: ThrottleRule = { bucket: 'test-long', limit: 5, windowSeconds: 3600 };
    clock.advance(3_600_000 - (clock.now() % 3_600_000)); // the top of an hour
    await processA.count({ rule: short, key: 'k' }, { rule: long, key: 'k' });
    clock.advance(61_000);
    await processB.deleteExpired();
    const rows = await world.examgate.sequelize.query<{ bucket: string }>('SELECT bucket FROM throttle_counters', {
      type: QueryTypes.SELECT,
    });
    expect(rows.map((r) => r.bucket)).to.deep.equal(['test-long']);
  });

  describe('a counter a crowd counts on every request (spread over rows on PostgreSQL)', () => {
    const crowd: ThrottleRule = { bucket: 'test-crowd', limit: 1000, windowSeconds: 60, shards: 16 };
    const postgres = () => world.examgate.sequelize.getDialect() === 'postgres';
    const stored = async (bucket: string) =>
      world.examgate.sequelize.query<{ bucket: string; hits: number | string }>(
        // A counter's other rows are under "bucket.k".
        'SELECT bucket, hits FROM throttle_counters WHERE bucket = ? OR bucket LIKE ?',
        {
          replacements: [bucket, `${bucket}.%`],
          type: QueryTypes.SELECT,
        },
      );

    it('when hits come one after another, then each sees the exact count, spread over rows on PostgreSQL and one row on SQLite', async () => {
      const repository = new ThrottleRepository(world.examgate.sequelize);
      const hit = {
        bucket: crowd.bucket,
        subject: 'a'.repeat(64),
        windowStart: clock.now() - (clock.now() % 60_000),
        expiresAt: clock.now() + 60_000,
        shards: 16,
      };
      const seen: number[] = [];
      for (let i = 0; i < 40; i++) {
        seen.push((await repository.increment([hit])).get(`${crowd.bucket} ${hit.subject}`)?.hits ?? -1);
      }
      expect(seen).to.deep.equal(Array.from({ length: 40 }, (_, i) => i + 1));
      const rows = await stored(crowd.bucket);
      expect(rows.reduce((sum, row) => sum + Number(row.hits), 0)).to.equal(40);
      // 40 draws from 16 rows all landing on one has a chance of 16^-39.
      expect(rows.length).to.satisfy((n: number) => (postgres() ? n > 1 && n <= 16 : n === 1));
      expect(rows.every((row) => /^test-crowd(\.([1-9]|1[0-5]))?$/.test(row.bucket))).to.equal(true);
    });

    it('when many count at the same moment on two processes, then no hit is lost', async () => {
      await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? processA : processB).count({ rule: crowd, key: 'room' })));
      const rows = await stored(crowd.bucket);
      expect(rows.reduce((sum, row) => sum + Number(row.hits), 0)).to.equal(60);
    });

    it('when the limit is reached one after another, then the next is refused, on a sign-in form and on a guarded row alike', async () => {
      clock.advance(900_000 - (clock.now() % 900_000) + 1_000);
      const few = { bucket: 'test-crowd-attempts', limit: 3, windowSeconds: 900, shards: 16 };
      const form = new LoginThrottle(processA, { attemptsPerAddress: few });
      for (let i = 0; i < 3; i++) {
        await form.beforeAttempt({ account: `c-${i}`, address: '198.51.100.91' });
      }
      const refused = await refusal(
        new LoginThrottle(processB, { attemptsPerAddress: few }).beforeAttempt({ account: 'c-3', address: '198.51.100.91' }),
      );
      expect(refused?.retryAfterSeconds).to.equal(899);

      const guarded = { bucket: 'test-crowd-logins', limit: 2, windowSeconds: 60, shards: 16 };
      const outcomes = [];
      for (const state of ['g1', 'g2', 'g3']) {
        outcomes.push(await refusal(processB.countThenInsert([{ rule: guarded, key: 'k' }], login(state))));
      }
      expect(outcomes.map((o) => o === null)).to.deep.equal([true, true, false]);
      const states = await world.examgate.sequelize.query<{ state: string }>('SELECT state FROM login_requests ORDER BY state', {
        type: QueryTypes.SELECT,
      });
      expect(states.map((r) => r.state)).to.deep.equal(['g1', 'g2']);
    });

    it('when a new window starts, then rows left from the last one count for nothing', async () => {
      clock.advance(60_000 - (clock.now() % 60_000) + 1_000);
      const tight = { ...crowd, bucket: 'test-crowd-window', limit: 30 };
      for (let i = 0; i < 30; i++) {
        await processA.count({ rule: tight, key: 'k' });
      }
      expect(await refusal(processA.count({ rule: tight, key: 'k' }))).to.be.instanceOf(ThrottledError);
      clock.advance(60_000);
      // Every row of the counter is from the last window but the one this hit restarts.
      for (let i = 0; i < 30; i++) {
        expect(await refusal(processB.count({ rule: tight, key: 'k' }))).to.equal(null);
      }
      expect(await refusal(processB.count({ rule: tight, key: 'k' }))).to.be.instanceOf(ThrottledError);
    });
  });

  describe('a count and the row it guards (the LTI login: its throttle and its login request)', () => {
    const perAddress: ThrottleRule = { bucket: 'test-login-address', limit: 2, windowSeconds: 60 };
    const perPlatform: ThrottleRule = { bucket: 'test-login-platform', limit: 5, windowSeconds: 60 };
    const keyed = [
      { rule: perAddress, key: '203.0.113.9' },
      { rule: perPlatform, key: 'https://lms.example client' },
    ];
    const storedStates = async () =>
      (
        await world.examgate.sequelize.query<{ state: string }>('SELECT state FROM login_requests ORDER BY state', {
          type: QueryTypes.SELECT,
        })
      ).map((r) => r.state);
    const hits = async (bucket: string) => {
      const [row] = await world.examgate.sequelize.query<{ hits: number | string }>('SELECT hits FROM throttle_counters WHERE bucket = ?', {
        replacements: [bucket],
        type: QueryTypes.SELECT,
      });
      return Number(row?.hits ?? 0);
    };

    it('when the count is within every limit, then the row is written and every rule counted once', async () => {
      await processA.countThenInsert(keyed, login('s1'));
      await processB.countThenInsert(keyed, login('s2'));
      expect(await storedStates()).to.deep.equal(['s1', 's2']);
      expect(await hits(perAddress.bucket)).to.equal(2);
      expect(await hits(perPlatform.bucket)).to.equal(2);
    });

    it('when one rule goes over its limit, then the request is refused, still counted, and writes no row', async () => {
      await processA.countThenInsert(keyed, login('s1'));
      await processA.countThenInsert(keyed, login('s2'));
      const refused = await refusal(processB.countThenInsert(keyed, login('s3')));
      expect(refused).to.be.instanceOf(ThrottledError);
      expect(refused?.message).to.match(/^Too many attempts\. Please wait and try again in \d+ seconds?/);
      expect(await storedStates()).to.deep.equal(['s1', 's2']);
      expect(await hits(perAddress.bucket)).to.equal(3);
      expect(await hits(perPlatform.bucket)).to.equal(3);
    });

    it('when many count at once against one limit, then exactly as many rows are written as the limit allows', async () => {
      const room: ThrottleRule = { bucket: 'test-login-room', limit: 7, windowSeconds: 60 };
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          refusal((i % 2 ? processA : processB).countThenInsert([{ rule: room, key: 'k' }], login(`r${String(i).padStart(2, '0')}`))),
        ),
      );
      expect(outcomes.filter((o) => o === null)).to.have.length(7);
      expect(await storedStates()).to.have.length(7);
      expect(await hits(room.bucket)).to.equal(20);
    });

    it('when no rule is on, then the row is written and nothing is counted', async () => {
      await processA.countThenInsert([{ rule: { ...perAddress, limit: 0 }, key: 'k' }], login('s1'));
      expect(await storedStates()).to.deep.equal(['s1']);
      expect(await hits(perAddress.bucket)).to.equal(0);
    });
  });

  describe('a login form (per account: failures only; per address: generous)', () => {
    const rules = {
      failuresPerAccount: { bucket: 'test-account-failures', limit: 5, windowSeconds: 900 },
      failuresPerAddress: { bucket: 'test-address-failures', limit: 3000, windowSeconds: 900 },
      attemptsPerAddress: { bucket: 'test-address-attempts', limit: 6000, windowSeconds: 900 },
    };
    const examRoom = '192.0.2.10';

    it('when 1500 candidates behind one address sign in (one typo each), then none is locked out', async () => {
      const onA = new LoginThrottle(processA, rules);
      const onB = new LoginThrottle(processB, rules);
      const signIn = async (i: number) => {
        const login = i % 2 ? onA : onB;
        const attempt = { account: `candidate-${i}`, address: examRoom };
        await login.beforeAttempt(attempt);
        await login.failed(attempt);
        await login.beforeAttempt(attempt);
        await login.succeeded(attempt);
      };
      // In waves, as a room does: everyone gets in (any refusal would reject here).
      for (let wave = 0; wave < 1500; wave += 50) {
        await Promise.all(Array.from({ length: 50 }, (_, i) => signIn(wave + i)));
      }
      const [row] = await world.examgate.sequelize.query<{ hits: number | string }>(
        "SELECT hits FROM throttle_counters WHERE bucket = 'test-address-failures'",
        { type: QueryTypes.SELECT },
      );
      expect(Number(row?.hits)).to.equal(1500);
    }).timeout(120_000);

    it('when one account keeps failing, then only that account is locked, on every process, until the window ends', async () => {
      const onA = new LoginThrottle(processA, rules);
      const onB = new LoginThrottle(processB, rules);
      const victim = { account: 'ada', address: '203.0.113.9' };
      for (let i = 0; i < 5; i++) {
        await onA.beforeAttempt(victim);
        await onA.failed(victim);
      }
      // Locked before the password is even checked, from the other process and another address too.
      expect(await refusal(onB.beforeAttempt(victim))).to.be.instanceOf(ThrottledError);
      expect(await refusal(onB.beforeAttempt({ account: 'ada', address: examRoom }))).to.be.instanceOf(ThrottledError);
      expect(await refusal(onB.beforeAttempt({ account: 'grace', address: victim.address }))).to.equal(null);
      clock.advance(900_000);
      expect(await refusal(onB.beforeAttempt(victim))).to.equal(null);
    });

    it('when an account keeps failing under other spellings (case, spaces, width), then they all count as that one account', async () => {
      const login = new LoginThrottle(processA, rules);
      for (const account of ['ada', 'Ada', 'ADA', ' ada ', '\uFF41da']) {
        await login.failed({ account, address: `203.0.113.${account.length}` });
      }
      expect(await refusal(login.beforeAttempt({ account: 'aDa', address: examRoom }))).to.be.instanceOf(ThrottledError);
      await login.succeeded({ account: 'ADA', address: examRoom });
      expect(await refusal(login.beforeAttempt({ account: 'ada', address: examRoom }))).to.equal(null);
    });

    it('when an account signs in after some failures, then its failures are forgotten', async () => {
      const login = new LoginThrottle(processA, rules);
      const person = { account: 'lin', address: examRoom };
      for (let i = 0; i < 4; i++) {
        await login.failed(person);
      }
      await login.succeeded(person);
      for (let i = 0; i < 4; i++) {
        await login.failed(person);
      }
      expect(await refusal(login.beforeAttempt(person))).to.equal(null);
    });

    it('when a sign-in passes on what its check saw, then failures seen are forgotten, and one counted in between is never lost', async () => {
      const login = new LoginThrottle(processA, rules);
      const person = { account: 'mae', address: examRoom };
      await login.failed(person);
      const seen = await login.beforeAttempt(person);
      expect(seen.accountFailures).to.equal(1);
      await login.succeeded(person, seen);
      expect((await login.beforeAttempt(person)).accountFailures).to.equal(0);
      // Nothing seen, nothing to forget: a failure another request counted meanwhile still counts.
      const clean = await login.beforeAttempt(person);
      await login.failed(person);
      await login.succeeded(person, clean);
      expect((await login.beforeAttempt(person)).accountFailures).to.equal(1);
    });

    const hitsOf = async (bucket: string) => {
      const [row] = await world.examgate.sequelize.query<{ hits: number | string }>(
        'SELECT hits FROM throttle_counters WHERE bucket = :bucket',
        {
          replacements: { bucket },
          type: QueryTypes.SELECT,
        },
      );
      return row ? Number(row.hits) : 0;
    };

    it('when an account is locked, then its attempt is refused and counts nothing for the address; once the window ends it counts again', async () => {
      const login = new LoginThrottle(processA, rules);
      const person = { account: 'kit', address: '203.0.113.44' };
      clock.advance(900_000 - (clock.now() % 900_000) + 1_000); // a fresh window of the rules
      await login.beforeAttempt(person);
      expect(await hitsOf('test-address-attempts')).to.equal(1);
      for (let i = 0; i < 5; i++) {
        await login.failed(person);
      }
      expect(await refusal(login.beforeAttempt(person))).to.be.instanceOf(ThrottledError);
      expect(await refusal(new LoginThrottle(processB, rules).beforeAttempt(person))).to.be.instanceOf(ThrottledError);
      expect(await hitsOf('test-address-attempts')).to.equal(1);
      // In the next window the failures count no more: no lock, and the attempt counts afresh.
      clock.advance(900_000);
      expect((await login.beforeAttempt(person)).accountFailures).to.equal(0);
      expect(await hitsOf('test-address-attempts')).to.equal(1); // a new window, afresh
    });

    it('when an address has made as many attempts as allowed, then the next is refused though no account is locked', async () => {
      const few = { ...rules, attemptsPerAddress: { bucket: 'test-address-attempts', limit: 3, windowSeconds: 900 } };
      const onA = new LoginThrottle(processA, few);
      const onB = new LoginThrottle(processB, few);
      clock.advance(900_000 - (clock.now() % 900_000) + 1_000);
      for (const [i, login] of [onA, onB, onA].entries()) {
        expect((await login.beforeAttempt({ account: `p-${i}`, address: '198.51.100.90' })).accountFailures).to.equal(0);
      }
      const refused = await refusal(onB.beforeAttempt({ account: 'p-3', address: '198.51.100.90' }));
      expect(refused).to.be.instanceOf(ThrottledError);
      expect(refused?.retryAfterSeconds).to.equal(899);
      expect(await refusal(onB.beforeAttempt({ account: 'p-3', address: examRoom }))).to.equal(null);
    });

    it('when one address fails across many accounts, then that address is locked for every account', async () => {
      const tight = { ...rules, failuresPerAddress: { bucket: 'test-address-failures', limit: 20, windowSeconds: 900 } };
      const login = new LoginThrottle(processA, tight);
      for (let i = 0; i < 20; i++) {
        await login.failed({ account: `guess-${i}`, address: '198.51.100.66' });
      }
      expect(await refusal(login.beforeAttempt({ account: 'someone-new', address: '198.51.100.66' }))).to.be.instanceOf(ThrottledError);
      expect(await refusal(login.beforeAttempt({ account: 'someone-new', address: examRoom }))).to.equal(null);
    });

    /** A lookup that rides with the throttle's statement: rows of text and a number, as an account or link read has. */
    const lookupOf = (word: string) => ({
      statement: { text: 'SELECT CAST(? AS TEXT) AS word, 42 AS n UNION ALL SELECT CAST(? AS TEXT), 43', params: [word, `${word}-2`] },
      read: (rows: readonly object[]) =>
        (rows as Array<{ word: string; n: number | string }>).map((r) => `${r.word}:${Number(r.n)}`).sort(),
    });

    it('when a lookup goes with the sign-in throttle, then its rows come back as they were read, and the attempt counts once', async () => {
      const login = new LoginThrottle(processA, rules);
      const person = { account: 'ida', address: '203.0.113.71' };
      clock.advance(900_000 - (clock.now() % 900_000) + 1_000);
      const { seen, found } = await login.beforeAttemptWith(person, lookupOf('ida'));
      expect(found).to.deep.equal(['ida-2:43', 'ida:42']);
      expect(seen.accountFailures).to.equal(0);
      expect(await hitsOf('test-address-attempts')).to.equal(1);
      // The lock check without counting (a direct link's) carries one too; a lookup with no statement reads no rows.
      expect(await login.assertNotLockedWith(person, lookupOf('link'))).to.deep.equal(['link-2:43', 'link:42']);
      expect(await login.assertNotLockedWith(person, { statement: null, read: (rows) => rows.length })).to.equal(0);
      expect(await hitsOf('test-address-attempts')).to.equal(1);
    });

    it('when a lookup goes with the throttle of a locked account, then the attempt is refused and counts nothing for the address', async () => {
      const login = new LoginThrottle(processA, rules);
      const person = { account: 'jo', address: '203.0.113.72' };
      clock.advance(900_000 - (clock.now() % 900_000) + 1_000);
      for (let i = 0; i < 5; i++) {
        await login.failed(person);
      }
      expect(await refusal(login.beforeAttemptWith(person, lookupOf('jo')))).to.be.instanceOf(ThrottledError);
      expect(await refusal(login.assertNotLockedWith(person, lookupOf('jo')))).to.be.instanceOf(ThrottledError);
      expect(await hitsOf('test-address-attempts')).to.equal(0);
    });
  });
});
