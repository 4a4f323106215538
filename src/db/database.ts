import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'sequelize';

/** Where and how to connect, parsed from DATABASE_URL. */
export interface DatabaseTarget {
  dialect: 'sqlite' | 'postgres';
  /** Positional arguments in the shape ltijs-sequelize's constructor takes. */
  database: string;
  username: string | null;
  password: string | null;
  options: Options;
  /** For messages: the URL with any password removed. */
  safeUrl: string;
}

/**
 * The database does not answer. At start-up (with its URL) the message is for the operator;
 * while running (no URL) it is the one people see: examgate is temporarily unavailable.
 */
export class DatabaseUnavailableError extends Error {
  constructor(safeUrl: string | null, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      safeUrl === null
        ? 'examgate is temporarily unavailable: its database cannot be reached. Try again in a minute.'
        : `Cannot reach the database at ${safeUrl}: ${reason}`,
      { cause },
    );
    this.name = 'DatabaseUnavailableError';
  }
}

/**
 * `sqlite:./data/examgate.sqlite` (relative to the working directory) or
 * `postgres://user:pass@host:port/db[?sslmode=require]`.
 */
export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    const storage = file === ':memory:' ? file : path.resolve(file);
    if (storage !== ':memory:') {
      mkdirSync(path.dirname(storage), { recursive: true });
    }
    return {
      dialect: 'sqlite',
      database: 'examgate',
      username: null,
      password: null,
      options: { dialect: 'sqlite', storage, logging: false },
      safeUrl: url,
    };
  }
  const parsed = new URL(url);
  const sslRequired = parsed.searchParams.get('sslmode') === 'require';
  const safe = new URL(url);
  safe.password = safe.password ? '***' : '';
  return {
    dialect: 'postgres',
    database: decodeURIComponent(parsed.pathname.replace(/^\//, '')),
    username: decodeURIComponent(parsed.username) || 'postgres',
    password: parsed.password ? decodeURIComponent(parsed.password) : null,
    options: {
      dialect: 'postgres',
      host: parsed.hostname,
      port: parsed.port ? Number(parsed.port) : 5432,
      logging: false,
      pool: { max: 20, min: 2, idle: 60_000, acquire: 15_000 },
      dialectOptions: {
        connectionTimeoutMillis: 5_000,
        ...(sslRequired ? { ssl: { require: true, rejectUnauthorized: true } } : {}),
      },
    },
    safeUrl: safe.toString(),
  };
}
