import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { DatabaseUnavailableError } from '../../src/db/database.js';
import { directSql, type DirectSql } from '../../src/db/direct-sql.js';
import { asDriverOutage } from '../../src/db/outage.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/**
 * The launch path's statements skip Sequelize (db/direct-sql.ts); rows they write must read
 * and compare exactly like rows Sequelize wrote, on SQLite (dates stored as text) as on
 * PostgreSQL.
 */
describe('direct SQL on examgate’s pool (the launch path’s statements)', () => {
  let world: TestWorld;
  let sql: DirectSql;
  before(async () => {
    world = await startWorld();
    sql = directSql(world.examgate.sequelize);
  });
  beforeEach(() => resetLaunchState(world));

  const viaSequelize = (nonce: string, expiresAt: Date) =>
    world.examgate.sequelize.query('INSERT INTO lti_nonces (nonce, expires_at) VALUES (:nonce, :expiresAt)', {
      replacements: { nonce, expiresAt },
      type: QueryTypes.INSERT,
    });

  it('when dates are written through Sequelize and directly, then they compare and sort as one column', async () => {
    const now = Date.now();
    await viaSequelize('sequelize-early', new Date(now + 1_000));
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', ['direct-middle', new Date(now + 2_000)]);
    await viaSequelize('sequelize-late', new Date(now + 3_000));

    const after = await sql.rows<{ nonce: string }>('SELECT nonce FROM lti_nonces WHERE expires_at > ? ORDER BY expires_at', [
      new Date(now + 1_500),
    ]);
    expect(after.map((r) => r.nonce)).to.deep.equal(['direct-middle', 'sequelize-late']);
    const seenBySequelize = await world.examgate.sequelize.query<{ nonce: string }>(
      'SELECT nonce FROM lti_nonces WHERE expires_at < :cut ORDER BY expires_at',
      { replacements: { cut: new Date(now + 2_500) }, type: QueryTypes.SELECT },
    );
    expect(seenBySequelize.map((r) => r.nonce)).to.deep.equal(['sequelize-early', 'direct-middle']);
  });

  it('when a value looks like SQL, then it is stored as the value it is (bound, never spliced)', async () => {
    const hostile = `x'); DELETE FROM lti_nonces; -- ? $1 :now`;
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', [hostile, new Date(Date.now() + 60_000)]);
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', ['plain', new Date(Date.now() + 60_000)]);
    const rows = await sql.rows<{ nonce: string }>('SELECT nonce FROM lti_nonces WHERE nonce = ?', [hostile]);
    expect(rows).to.deep.equal([{ nonce: hostile }]);
  });

  it('when a write changes rows, then run says how many; a write with RETURNING gives its rows', async () => {
    const soon = new Date(Date.now() + 60_000);
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?), (?, ?)', ['a', soon, 'b', soon]);
    expect(await sql.run('UPDATE lti_nonces SET expires_at = ? WHERE nonce IN (?, ?, ?)', [soon, 'a', 'b', 'missing'])).to.equal(2);
    const deleted = await sql.rows<{ nonce: string }>('DELETE FROM lti_nonces WHERE nonce = ? RETURNING nonce', ['a']);
    expect(deleted).to.deep.equal([{ nonce: 'a' }]);
    expect(await sql.run('DELETE FROM lti_nonces WHERE nonce = ?', ['a'])).to.equal(0);
  });

  it('when a statement is wrong, then the driver’s error comes through, not an outage', async () => {
    try {
      await sql.rows('SELECT no_such_column FROM lti_nonces');
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).not.to.be.instanceOf(DatabaseUnavailableError);
      expect((err as Error).message).to.match(/no_such_column/);
    }
  });

  it('when the driver says the server is gone or busy, then it is the outage examgate answers 503 for', () => {
    const withCode = (code: string) => Object.assign(new Error('driver'), { code });
    for (const code of ['ECONNREFUSED', '57P01', '08006', 'SQLITE_BUSY']) {
      expect(asDriverOutage(withCode(code)), code).to.be.instanceOf(DatabaseUnavailableError);
    }
    expect(asDriverOutage(new Error('Connection terminated unexpectedly'))).to.be.instanceOf(DatabaseUnavailableError);
    expect(asDriverOutage(withCode('23505')), 'a unique violation is not an outage').to.equal(null);
    expect(asDriverOutage('not an error')).to.equal(null);
  });

  it('when writes go together, then each lands with its own values, numbered across the whole batch', async () => {
    const soon = new Date(Date.now() + 60_000);
    await sql.runTogether([
      { text: 'INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', params: ['first ? $2', soon] },
      { text: 'DELETE FROM lti_nonces WHERE nonce = ?', params: ['never-there'] },
      { text: 'INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', params: ['second', new Date(soon.getTime() + 1_000)] },
    ]);
    const rows = await sql.rows<{ nonce: string }>('SELECT nonce FROM lti_nonces WHERE expires_at >= ? ORDER BY expires_at', [soon]);
    expect(rows.map((r) => r.nonce)).to.deep.equal(['first ? $2', 'second']);
  });

  it('when a write of a batch fails, then its error comes through; on PostgreSQL (one statement) none of the batch is written', async () => {
    const soon = new Date(Date.now() + 60_000);
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', ['taken', soon]);
    const attempt = sql.runTogether([
      { text: 'INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', params: ['fresh', soon] },
      { text: 'INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', params: ['taken', soon] },
    ]);
    const failed = await attempt.then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).to.be.instanceOf(Error);
    expect(failed).not.to.be.instanceOf(DatabaseUnavailableError);
    const fresh = await sql.rows('SELECT nonce FROM lti_nonces WHERE nonce = ?', ['fresh']);
    // SQLite runs the writes one after another (no data-modifying WITH): the first stays written.
    expect(fresh).to.have.length(world.examgate.sequelize.getDialect() === 'postgres' ? 0 : 1);
  });

  it('when a statement with values runs again and again, then its answers stay right for every value, and on PostgreSQL the server keeps it parsed', async () => {
    const soon = new Date(Date.now() + 60_000);
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?), (?, ?)', ['kept-a', soon, 'kept-b', soon]);
    const text = 'SELECT nonce FROM lti_nonces WHERE nonce = ? AND expires_at > ?';
    for (const [nonce, found] of [
      ['kept-a', 1],
      ['kept-b', 1],
      ['missing', 0],
      ["kept-a' OR 'x' = 'x", 0],
    ] as const) {
      expect(await sql.rows(text, [nonce, new Date()]), nonce).to.have.length(found);
    }
    // Concurrent uses spread over several connections of the pool, each with its own parsed copy.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => sql.rows<{ nonce: string }>(text, [i % 2 ? 'kept-a' : 'kept-b', new Date()])),
    );
    expect(answers.map((rows) => rows[0]?.nonce)).to.deep.equal(Array.from({ length: 12 }, (_, i) => (i % 2 ? 'kept-a' : 'kept-b')));
    if (world.examgate.sequelize.getDialect() !== 'postgres') {
      return;
    }
    // The pool lends the connection released last: the one that just ran the statement.
    const kept = await sql.rows<{ name: string }>('SELECT name FROM pg_prepared_statements WHERE statement = ?', [
      'SELECT nonce FROM lti_nonces WHERE nonce = $1 AND expires_at > $2',
    ]);
    expect(kept.map((r) => r.name)).to.have.length(1);
    expect(kept[0]!.name).to.match(/^examgate_\d+$/);
  });

  it('when a statement has no values on PostgreSQL, then it may hold several statements (a simple query, never kept parsed)', async () => {
    if (world.examgate.sequelize.getDialect() !== 'postgres') {
      return;
    }
    const soon = new Date(Date.now() + 60_000);
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', ['both-a', soon]);
    await sql.run('INSERT INTO lti_nonces (nonce, expires_at) VALUES (?, ?)', ['both-b', soon]);
    await sql.run("DELETE FROM lti_nonces WHERE nonce = 'both-a'; DELETE FROM lti_nonces WHERE nonce = 'both-b'");
    expect(await sql.rows('SELECT nonce FROM lti_nonces WHERE nonce IN (?, ?)', ['both-a', 'both-b'])).to.deep.equal([]);
  });
});
