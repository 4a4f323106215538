import { expect } from 'chai';
import { LtijsReadCache } from '../../src/lti/ltijs-read-cache.js';

type Rows = Record<string, unknown>[] | false;

/** A stand-in for ltijs-sequelize's Get that counts reads and can be held open. */
function storage(initial: Rows) {
  const db = { rows: initial, reads: 0, hold: null as Promise<void> | null };
  const load = async (): Promise<Rows> => {
    db.reads += 1;
    const answer = db.rows;
    if (db.hold) {
      await db.hold;
    }
    return answer;
  };
  return { db, load };
}

const PLATFORM = { platformUrl: 'https://lms.example', clientId: 'c' };

describe("ltijs read cache (platform rows and the tool's keys)", () => {
  it('when a platform row is read twice within the TTL, then the database is asked once', async () => {
    const cache = new LtijsReadCache(30_000);
    const { db, load } = storage([{ kid: 'p1' }]);
    expect(await cache.get(false, 'platform', PLATFORM, load)).to.deep.equal([{ kid: 'p1' }]);
    expect(await cache.get(false, 'platform', PLATFORM, load)).to.deep.equal([{ kid: 'p1' }]);
    expect(db.reads).to.equal(1);
  });

  it('when the TTL has passed, then the row is read again', async () => {
    const cache = new LtijsReadCache(0);
    const { db, load } = storage([{ kid: 'p1' }]);
    await cache.get(false, 'platform', PLATFORM, load);
    await new Promise((resolve) => setTimeout(resolve, 2));
    await cache.get(false, 'platform', PLATFORM, load);
    expect(db.reads).to.equal(2);
  });

  it('when a platform is not found, then that answer is not kept (another process may be registering it)', async () => {
    const cache = new LtijsReadCache(30_000);
    const { db, load } = storage(false);
    await cache.get(false, 'platform', PLATFORM, load);
    db.rows = [{ kid: 'new' }];
    expect(await cache.get(false, 'platform', PLATFORM, load)).to.deep.equal([{ kid: 'new' }]);
  });

  it('when a platform has no status row, then that answer is kept (no row means active)', async () => {
    const cache = new LtijsReadCache(30_000);
    const { db, load } = storage(false);
    await cache.get(false, 'platformStatus', { id: 'p1' }, load);
    await cache.get(false, 'platformStatus', { id: 'p1' }, load);
    expect(db.reads).to.equal(1);
  });

  it('when this process writes to a table, then its cached reads are forgotten and a read in flight is not kept', async () => {
    const cache = new LtijsReadCache(30_000);
    const { db, load } = storage([{ kid: 'old' }]);
    let release = () => undefined as void;
    db.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inFlight = cache.get(false, 'platform', PLATFORM, load);
    cache.invalidate('platform');
    release();
    expect(await inFlight).to.deep.equal([{ kid: 'old' }]);
    db.hold = null;
    db.rows = [{ kid: 'new' }];
    expect(await cache.get(false, 'platform', PLATFORM, load)).to.deep.equal([{ kid: 'new' }]);
  });

  it('when other tables are read (tokens, state, nonces), then every read goes to the database', async () => {
    const cache = new LtijsReadCache(30_000);
    const { db, load } = storage([{ token: 't' }]);
    await cache.get(true, 'accesstoken', { scopes: 's' }, load);
    await cache.get(true, 'accesstoken', { scopes: 's' }, load);
    await cache.get(false, 'state', { state: 's' }, load);
    await cache.get(false, 'state', { state: 's' }, load);
    expect(db.reads).to.equal(4);
  });

  it('when concurrent logins read the same platform, then they share one query', async () => {
    const cache = new LtijsReadCache(30_000);
    const { db, load } = storage([{ kid: 'p1' }]);
    await Promise.all(Array.from({ length: 10 }, () => cache.get(false, 'platform', PLATFORM, load)));
    expect(db.reads).to.equal(1);
  });
});
