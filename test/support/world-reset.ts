import { QueryTypes, type Sequelize } from 'sequelize';
import { withTransaction } from '../../src/db/transactions.js';
import type { Examgate } from '../../src/bootstrap.js';
import { TEST_SETUP } from './examgate-under-test.js';

/**
 * What survives a reset: the two platforms the shared world registers (ltijs makes an RSA
 * key pair for each, which is slow), examgate's own signing keys (likewise), and the
 * migration histories. Everything else — tests, candidates, jobs, sessions, nonces,
 * throttle counters, audit entries, and whatever tables later migrations add — is emptied.
 */
const KEPT_TABLES = new Set([
  'examgate_migrations',
  'SequelizeMeta',
  'signing_keys',
  // ltijs's copy of each platform and its tool key pair.
  'platforms',
  'platformStatuses',
  'publickeys',
  'privatekeys',
]);

/** examgate's record of the world's platforms: put back exactly as registered. */
const RESTORED_TABLES = ['lms_platforms', 'platform_deployments'] as const;

type Row = Record<string, unknown>;

export interface WorldSnapshot {
  platformIds: Set<string>;
  rows: Record<(typeof RESTORED_TABLES)[number], Row[]>;
}

async function tableNames(sequelize: Sequelize): Promise<string[]> {
  if (sequelize.getDialect() === 'postgres') {
    const rows = await sequelize.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'", {
      type: QueryTypes.SELECT,
    });
    return rows.map((r) => r.name);
  }
  const rows = await sequelize.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'", {
    type: QueryTypes.SELECT,
  });
  return rows.map((r) => r.name);
}

function quoted(sequelize: Sequelize, table: string): string {
  return sequelize.getQueryInterface().quoteIdentifier(table);
}

/** Records the state a reset returns to: call once, right after the world's platforms are registered. */
export async function snapshotWorld(examgate: Examgate): Promise<WorldSnapshot> {
  const { sequelize, platforms } = examgate;
  const platformIds = new Set((await platforms.list()).map((p) => p.id));
  const rows = {} as WorldSnapshot['rows'];
  for (const table of RESTORED_TABLES) {
    rows[table] = await sequelize.query<Row>(`SELECT * FROM ${quoted(sequelize, table)}`, { type: QueryTypes.SELECT });
  }
  return { platformIds, rows };
}

/**
 * Returns the database to the snapshot: platforms a test added are removed through the
 * service (so ltijs's copy and the CSP list follow), every other table is emptied, and the
 * world's platforms and deployments are written back as they were registered.
 */
export async function resetWorld(examgate: Examgate, snapshot: WorldSnapshot): Promise<void> {
  const { sequelize, platforms } = examgate;
  // A job or scheduled sync left running by an earlier file would write into the tables being emptied.
  examgate.roster.stop();
  await examgate.jobs.stop();
  try {
    for (const platform of await platforms.list()) {
      if (!snapshot.platformIds.has(platform.id)) {
        await platforms.remove(platform.id, TEST_SETUP);
      }
    }
    await restore(sequelize, snapshot);
    // The settings' in-memory copy would outlive the emptied table by up to SETTINGS_CACHE_SECONDS.
    examgate.settings.forget();
  } finally {
    examgate.jobs.start();
    examgate.roster.start();
  }
}

async function restore(sequelize: Sequelize, snapshot: WorldSnapshot): Promise<void> {
  const emptied = (await tableNames(sequelize)).filter((t) => !KEPT_TABLES.has(t));
  if (sequelize.getDialect() === 'postgres') {
    await sequelize.query(`TRUNCATE ${emptied.map((t) => quoted(sequelize, t)).join(', ')} RESTART IDENTITY CASCADE`);
  } else {
    // The same queue as examgate's own SQLite transactions (db/transactions.ts).
    await withTransaction(sequelize, async (transaction) => {
      await sequelize.query('PRAGMA defer_foreign_keys = ON', { transaction });
      for (const table of emptied) {
        await sequelize.query(`DELETE FROM ${quoted(sequelize, table)}`, { transaction }).catch((err: unknown) => {
          throw new Error(`emptying ${table} failed: ${String((err as { original?: unknown }).original ?? err)}`);
        });
      }
    });
  }
  const qi = sequelize.getQueryInterface();
  for (const table of RESTORED_TABLES) {
    const rows = snapshot.rows[table];
    if (rows.length > 0) {
      await qi.bulkInsert(
        table,
        rows.map((row) => ({ ...row })),
      );
    }
  }
}
