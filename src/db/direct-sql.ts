import type { Sequelize } from 'sequelize';
import { asDriverOutage } from './outage.js';
import { checkSharedConnectionUse } from './transactions.js';

export type SqlValue = string | number | boolean | Date | null;

/**
 * Single statements on examgate's own connection pool, without the ORM in the way. The few
 * statements every launch makes (the login, its nonce, the throttle count, the platform check,
 * the session) pay, through `sequelize.query`, more CPU for Sequelize's work around them
 * (parsing and escaping replacements, a stack capture, hooks, retries, shaping the result;
 * on SQLite a PRAGMA per model read) than for the round trip itself (BENCHMARKS.md, "Where one
 * launch's CPU goes"). Here the text goes to the driver as it is, with `?` placeholders whose
 * values travel as bound parameters (never spliced into the text).
 *
 * Only for statements that stand alone: a unit of work (db/unit-of-work.ts) runs through
 * Sequelize, on the connection of its transaction.
 */
export interface DirectSql {
  /** The rows of a SELECT, or of a write with RETURNING. */
  rows<T extends object>(text: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** How many rows a write without RETURNING changed. */
  run(text: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Writes without RETURNING that belong together (db/write-batch.ts). On PostgreSQL they go as
   * one statement, each a data-modifying WITH query (PostgreSQL runs every one of them to
   * completion, on one snapshot, all or none); they must not touch the same row. On SQLite
   * they run one after another, as separate statements would.
   */
  runTogether(writes: ReadonlyArray<{ text: string; params: readonly SqlValue[] }>): Promise<void>;
}

/** The part of a node-postgres client (what Sequelize's pool hands out for PostgreSQL) used here. */
interface PgConnection {
  query(config: { text: string; values: unknown[]; name?: string }): Promise<{ rows: object[]; rowCount: number | null }>;
  /** Sequelize's own mark of a broken connection: its pool then discards it instead of lending it again. */
  _invalid?: boolean;
}

/** The part of a node-sqlite3 database (Sequelize's SQLite connection) used here. */
interface SqliteConnection {
  all(sql: string, params: unknown[], callback: (err: Error | null, rows: object[]) => void): void;
  run(sql: string, params: unknown[], callback: (this: { changes: number }, err: Error | null) => void): void;
}

/** `?` → `$1`, `$2` …: PostgreSQL's numbered placeholders. The statements here hold no literal question marks. */
const numberedTexts = new Map<string, string>();
export function numbered(text: string): string {
  let converted = numberedTexts.get(text);
  if (converted === undefined) {
    let n = 0;
    converted = text.replace(/\?/g, () => `$${(n += 1)}`);
    // The statements are the code's own, a few dozen texts: remembered, not rebuilt per call
    // (bounded all the same, should a caller ever build texts of its own).
    if (numberedTexts.size < 1000) {
      numberedTexts.set(text, converted);
    }
  }
  return converted;
}

/** The most statements named for the server to keep parsed (per connection: 20 connections × this many). */
const NAMED_STATEMENTS_MAX = 500;
/** Longer texts (a batch's many rows) are rare, each its own shape: parsed each time. */
const NAMED_TEXT_MAX_CHARS = 4000;
const statementNames = new Map<string, string>();

/**
 * A statement as node-postgres sends it, with a name when the text is one of the code's own
 * repeated few (every launch sends the same five): each connection of the pool then has the
 * server parse and analyse it once, and every later use sends only its values (Bind/Execute),
 * which spares the server that work on every statement of every launch. PostgreSQL re-plans a
 * named statement by itself when a table it reads changes (a migration), and the names are
 * per connection, so processes and connections never clash.
 */
function prepared(text: string, params: readonly SqlValue[]): { text: string; name?: string } {
  const numberedText = numbered(text);
  if (params.length === 0) {
    // node-postgres sends a text without values as a simple query (which may hold several statements).
    return { text: numberedText };
  }
  let name = statementNames.get(text);
  if (name === undefined && text.length <= NAMED_TEXT_MAX_CHARS && statementNames.size < NAMED_STATEMENTS_MAX) {
    name = `examgate_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name === undefined ? { text: numberedText } : { text: numberedText, name };
}

/**
 * How Sequelize writes a date into SQLite (a TEXT column: 'YYYY-MM-DD HH:MM:SS.SSS +00:00'),
 * so rows written either way compare and sort alike.
 */
export function sqliteDate(date: Date): string {
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} +00:00`;
}

function postgres(sequelize: Sequelize): DirectSql {
  const manager = sequelize.connectionManager;
  const query = async (text: string, params: readonly SqlValue[]) => {
    const connection = (await manager.getConnection({ type: 'write' })) as PgConnection;
    try {
      return await connection.query({ ...prepared(text, params), values: [...params] });
    } catch (err) {
      const outage = asDriverOutage(err);
      if (outage) {
        connection._invalid = true;
        throw outage;
      }
      throw err;
    } finally {
      manager.releaseConnection(connection);
    }
  };
  return {
    rows: async <T extends object>(text: string, params: readonly SqlValue[] = []) => (await query(text, params)).rows as T[],
    run: async (text, params = []) => (await query(text, params)).rowCount ?? 0,
    runTogether: async (writes) => {
      if (writes.length === 1) {
        await query(writes[0]!.text, writes[0]!.params);
      } else if (writes.length > 1) {
        // The placeholders are numbered across the whole text, in the order of the values.
        const text = `WITH ${writes.map((w, i) => `w${i} AS (${w.text})`).join(', ')} SELECT 1`;
        await query(
          text,
          writes.flatMap((w) => w.params),
        );
      }
    },
  };
}

function sqlite(sequelize: Sequelize): DirectSql {
  const manager = sequelize.connectionManager;
  const bound = (params: readonly SqlValue[]) => params.map((v) => (v instanceof Date ? sqliteDate(v) : v));
  const call = async <T>(
    text: string,
    work: (connection: SqliteConnection, done: (err: Error | null, value?: T) => void) => void,
  ): Promise<T> => {
    checkSharedConnectionUse(text);
    // Sequelize's SQLite pool lends every statement outside a transaction the same connection.
    const connection = (await manager.getConnection({ type: 'write' })) as SqliteConnection;
    return new Promise<T>((resolve, reject) => {
      work(connection, (err, value) => {
        if (err) {
          reject(asDriverOutage(err) ?? err);
        } else {
          resolve(value as T);
        }
      });
    });
  };
  const run = (text: string, params: readonly SqlValue[] = []) =>
    call<number>(text, (connection, done) =>
      connection.run(text, bound(params), function (err) {
        done(err, err ? 0 : this.changes);
      }),
    );
  return {
    rows: <T extends object>(text: string, params: readonly SqlValue[] = []) =>
      call<T[]>(text, (connection, done) => connection.all(text, bound(params), (err, rows) => done(err, rows as T[]))),
    run,
    runTogether: async (writes) => {
      // SQLite has no data-modifying WITH; a statement there costs no network round trip.
      for (const write of writes) {
        await run(write.text, write.params);
      }
    },
  };
}

/** Direct statements on `sequelize`'s pool, for its dialect. */
export function directSql(sequelize: Sequelize): DirectSql {
  return sequelize.getDialect() === 'postgres' ? postgres(sequelize) : sqlite(sequelize);
}
