import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import LtijsSequelizeDatabase from 'ltijs-sequelize';
import { Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { connectSequelize } from '../../src/db/sequelize.js';
import { ExamgateLtiDatabase } from '../../src/lti/lti-database.js';

let scratchCount = 0;

/**
 * A database nobody has set up yet, of the kind this run tests: a fresh SQLite file, or a
 * fresh PostgreSQL database beside TEST_DATABASE_URL (the shared one is already migrated).
 */
async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base?.startsWith('postgres')) {
    const dir = mkdtempSync(path.join(tmpdir(), 'examgate-ltijs-'));
    return { url: `sqlite:${path.join(dir, 'fresh.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `examgate_scratch_${process.pid}_${(scratchCount += 1)}`;
  const onServer = async (sql: string) => {
    const admin = new Sequelize(base, { logging: false });
    try {
      await admin.query(sql);
    } finally {
      await admin.close();
    }
  };
  await onServer(`CREATE DATABASE "${name}"`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** Everything written to stdout (where console.info goes) while `work` runs. */
async function printedDuring(work: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = write;
  }
  return chunks.join('');
}

describe("ltijs's SQL storage on a fresh database", () => {
  let fresh: { url: string; drop: () => Promise<void> };
  beforeEach(async () => {
    fresh = await freshDatabase();
  });
  afterEach(() => fresh.drop());

  it('when ltijs-sequelize sets itself up, then umzug prints its migration events on the console (the noise examgate avoids)', async () => {
    const target = parseDatabaseUrl(fresh.url);
    const plain = new LtijsSequelizeDatabase(target.database, target.username, target.password, target.options);
    try {
      const printed = await printedDuring(() => plain.setup());
      expect(printed).to.contain("event: 'migrating'");
    } finally {
      await plain.Close();
    }
  });

  it("when examgate's ltijs storage sets up, then nothing is printed and ltijs's migration is applied and recorded", async () => {
    const target = parseDatabaseUrl(fresh.url);
    const sequelize = await connectSequelize(target);
    const storage = () => new ExamgateLtiDatabase(target);
    try {
      for (const start of ['first', 'second']) {
        const database = storage();
        try {
          const printed = await printedDuring(() => database.setup());
          expect(printed, `${start} start`).to.equal('');
        } finally {
          await database.Close();
        }
      }
      const [history] = await sequelize.query('SELECT name FROM "SequelizeMeta"');
      expect(history).to.deep.equal([{ name: '00_addAuthorizationServer.js' }]);
      expect(await sequelize.getQueryInterface().describeTable('platforms')).to.have.property('authorizationServer');
    } finally {
      await sequelize.close();
    }
  });
});
