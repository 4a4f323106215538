import path from 'node:path';
import { Sequelize } from 'sequelize';

/** A database of the cross-site examgate's own, and how to throw it away. */
export interface ChildDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const sequelize = new Sequelize(serverUrl, { logging: false });
  try {
    await sequelize.query(sql);
  } finally {
    await sequelize.close();
  }
}

/**
 * The cross-site examgate runs as its own process beside the shared test world, which empties its
 * database between files; so it gets a database of its own: a SQLite file in `dir`, or on the
 * PostgreSQL of TEST_DATABASE_URL a sibling database "<name>_crosssite", made afresh.
 */
export async function childDatabase(dir: string): Promise<ChildDatabase> {
  const testUrl = process.env.TEST_DATABASE_URL;
  if (!testUrl?.startsWith('postgres')) {
    return { url: `sqlite:${path.join(dir, 'examgate.sqlite')}`, drop: async () => undefined };
  }
  const url = new URL(testUrl);
  const name = `${decodeURIComponent(url.pathname.slice(1))}_crosssite`;
  if (!/^[A-Za-z0-9_]+$/.test(name)) {
    throw new Error(`TEST_DATABASE_URL names a database (${name}) this helper will not quote`);
  }
  url.pathname = `/${name}`;
  await onServer(testUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await onServer(testUrl, `CREATE DATABASE "${name}"`);
  return { url: url.toString(), drop: () => onServer(testUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
