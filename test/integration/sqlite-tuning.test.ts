import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Sequelize, Transaction } from 'sequelize';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { connectSequelize } from '../../src/db/sequelize.js';
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
});
