import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import path from 'node:path';
import { expect } from 'chai';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { connectSequelize } from '../../src/db/sequelize.js';
import { directSql } from '../../src/db/direct-sql.js';
import { besideTransaction, withTransaction } from '../../src/db/transactions.js';
import { ExamgateLtiDatabase } from '../../src/lti/lti-database.js';

async function pragmas(sequelize: Sequelize, transaction?: Transaction): Promise<Record<string, unknown>> {
  const read = async (name: string) => Object.values((await sequelize.query(`PRAGMA ${name}`, { plain: true, transaction })) ?? {})[0];
  return {
    journal_mode: await read('journal_mode'),
    synchronous: await read('synchronous'),
    busy_timeout: await read('busy_timeout'),
    foreign_keys: await read('foreign_keys'),
  };
}

const TUNED = { journal_mode: 'wal', synchronous: 1, busy_timeout: 10_000, foreign_keys: 1 };

describe('SQLite tuning', () => {
  let dir: string;
  let url: string;
  // Its own SQLite file whatever TEST_DATABASE_URL says: the embedded default must be tuned on every run.
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'examgate-sqlite-'));
    url = `sqlite:${path.join(dir, 'tuned.sqlite')}`;
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it("when examgate connects, then every connection (transactions' too) runs in WAL with a 10 s busy timeout", async () => {
    const sequelize = await connectSequelize(parseDatabaseUrl(url));
    try {
      expect(await pragmas(sequelize)).to.deep.equal(TUNED);
      await sequelize.transaction(async (transaction) => {
        expect(await pragmas(sequelize, transaction)).to.deep.equal(TUNED);
      });
    } finally {
      await sequelize.close();
    }
  });

  it("when ltijs's storage connects to the same file, then its connection is tuned the same way", async () => {
    const sequelize = await connectSequelize(parseDatabaseUrl(url));
    const storage = new ExamgateLtiDatabase(parseDatabaseUrl(url));
    try {
      await storage.setup();
      expect(await pragmas(storage.db)).to.deep.equal(TUNED);
    } finally {
      await storage.Close();
      await sequelize.close();
    }
  });

  it("when a transaction's work sends a statement on the shared connection, then it is refused, naming the statement; beside the transaction it may wait its turn", async () => {
    const sequelize = await connectSequelize(parseDatabaseUrl(url));
    try {
      await sequelize.query('CREATE TABLE IF NOT EXISTS marks (n INTEGER NOT NULL)');
      let beside: Promise<unknown> | undefined;
      const refusals = await withTransaction(sequelize, async (transaction) => {
        await sequelize.query('INSERT INTO marks (n) VALUES (1)', { transaction });
        const refused = await Promise.all([
          sequelize.query('SELECT count(*) AS n FROM marks').catch((err: Error) => err.message),
          directSql(sequelize)
            .rows('SELECT n FROM marks')
            .catch((err: Error) => err.message),
        ]);
        // A job's progress goes on beside its handler's transaction: it waits for the lock, nothing waits for it.
        beside = besideTransaction(() => sequelize.query('INSERT INTO marks (n) VALUES (2)'));
        return refused;
      });
      expect(refusals).to.deep.equal([
        'A statement outside the transaction was sent from inside one (pass its unit): SELECT count(*) AS n FROM marks',
        'A statement outside the transaction was sent from inside one (pass its unit): SELECT n FROM marks',
      ]);
      await beside;
      const rows = await sequelize.query<{ n: number }>('SELECT n FROM marks ORDER BY n', { type: QueryTypes.SELECT });
      expect(rows.map((row) => row.n)).to.deep.equal([1, 2]);
    } finally {
      await sequelize.close();
    }
  });

  it('when writes outside a transaction pile up waiting for its lock, then the transaction still runs its statements and the writes land after it', async () => {
    const sequelize = await connectSequelize(parseDatabaseUrl(url));
    try {
      await sequelize.query('CREATE TABLE IF NOT EXISTS piled (n INTEGER NOT NULL)');
      const waiting: Array<Promise<unknown>> = [];
      const answered = await withTransaction(sequelize, async (transaction) => {
        await sequelize.query('INSERT INTO piled (n) VALUES (0)', { transaction });
        // More waiting writes than libuv has worker threads (4 by default), as a crowd's requests
        // would send: the direct statements (sessions, throttle, audit) and Sequelize's alike.
        besideTransaction(() => {
          for (let n = 1; n <= 6; n += 1) {
            waiting.push(
              n % 3 === 0
                ? sequelize.query(`INSERT INTO piled (n) VALUES (${n})`)
                : directSql(sequelize).run(`INSERT INTO piled (n) VALUES (${n})`),
            );
          }
        });
        await delay(50);
        // SQLite's busy wait inside a worker thread held every thread: the transaction's next
        // statement then waited for all of them to time out (10 s each).
        const next = sequelize.query('INSERT INTO piled (n) VALUES (7)', { transaction }).then(() => 'answered');
        return Promise.race([next, delay(5000).then(() => "the transaction's statement waited behind the writes")]);
      });
      expect(answered).to.equal('answered');
      await Promise.all(waiting);
      const rows = await sequelize.query<{ n: number }>('SELECT n FROM piled ORDER BY n', { type: QueryTypes.SELECT });
      expect(rows.map((row) => row.n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
    } finally {
      await sequelize.close();
    }
  });
});
