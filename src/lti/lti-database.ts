import LtijsSequelizeDatabase from 'ltijs-sequelize';
import { QueryTypes } from 'sequelize';
import type { DatabaseTarget } from '../db/database.js';
import { withSqliteTuning } from '../db/sequelize.js';
import { applyLtijsStorageMigrationsQuietly } from './ltijs-storage-migrations.js';
import { launchKid } from './launch-scope.js';
import { LtijsReadCache } from './ltijs-read-cache.js';
import type { NonceRepository } from './nonce.repository.js';
import { KeySetUnavailableError, PlatformKeySets } from './platform-keys.js';

export const NONCE_ALREADY_RECEIVED = 'NONCE_ALREADY_RECEIVED';

type Rows = Record<string, unknown>[] | false;

/**
 * ltijs keeps the verified launch in these (idtoken, contexttoken) for its ltik flow. examgate
 * runs ltijs in ltiaas mode, hands out no ltik and keeps its own session, so nothing ever
 * reads them: they are not written, and reads find nothing.
 */
const UNUSED_TABLES: ReadonlySet<string> = new Set(['idtoken', 'contexttoken']);

/** The caches in front of ltijs's storage; tests pass their own to control time and fetching. */
export interface LtiStorageCaches {
  rows: LtijsReadCache;
  keySets: PlatformKeySets;
}

/**
 * ltijs's official SQL storage plugin, with nonces routed to examgate's own table.
 * ltijs asks `Get('nonce')` then `Insert('nonce')`; we answer "unseen" to the first and make
 * the second an atomic insert that fails for a used nonce, so a replay is refused for as
 * long as the token could be accepted, and two processes can never both accept it.
 */
export class ExamgateLtiDatabase extends LtijsSequelizeDatabase {
  constructor(
    target: DatabaseTarget,
    private readonly nonces: NonceRepository,
    private readonly nonceLifetimeMs: number,
    private readonly caches: LtiStorageCaches = { rows: new LtijsReadCache(), keySets: new PlatformKeySets() },
  ) {
    super(target.database, target.username, target.password, withSqliteTuning(target.options));
  }

  override async Get(encryptionKey: string | false, table: string, info?: Record<string, unknown>): Promise<Rows> {
    if (table === 'nonce' || UNUSED_TABLES.has(table)) {
      return false;
    }
    if (table === 'state' && typeof info?.state === 'string' && Object.keys(info).length === 1 && !encryptionKey) {
      return this.readState(info.state);
    }
    const rows = await this.caches.rows.get(Boolean(encryptionKey), table, info, () => super.Get(encryptionKey, table, info));
    return table === 'platform' ? this.withLaunchKey(rows) : rows;
  }

  override async Insert(encryptionKey: string | false, table: string, item: Record<string, unknown>, index?: Record<string, unknown>) {
    if (table === 'nonce') {
      const nonce = typeof item.nonce === 'string' ? item.nonce : '';
      if (!nonce) {
        throw new Error('NO_NONCE_CLAIM');
      }
      if (!(await this.nonces.remember(nonce, new Date(Date.now() + this.nonceLifetimeMs)))) {
        throw new Error(NONCE_ALREADY_RECEIVED);
      }
      return true;
    }
    return this.changing(table, () => super.Insert(encryptionKey, table, item, index));
  }

  // --- Quiet start: keeps ltijs-sequelize's umzug from printing to the console (ltijs-storage-migrations.ts).
  override async setup(): Promise<boolean> {
    await applyLtijsStorageMigrationsQuietly(this.db);
    return super.setup();
  }

  // --- Launch speed: cached platform rows and keys, no writes nobody reads (ltijs-read-cache.ts, platform-keys.ts).

  override async Replace(
    encryptionKey: string | false,
    table: string,
    info: Record<string, unknown>,
    item: Record<string, unknown>,
    index?: Record<string, unknown>,
  ): Promise<boolean> {
    if (UNUSED_TABLES.has(table)) {
      return true;
    }
    return this.changing(table, () => super.Replace(encryptionKey, table, info, item, index));
  }

  override async Modify(
    encryptionKey: string | false,
    table: string,
    info: Record<string, unknown>,
    modification: Record<string, unknown>,
  ): Promise<boolean> {
    if (UNUSED_TABLES.has(table)) {
      return true;
    }
    return this.changing(table, () => super.Modify(encryptionKey, table, info, modification));
  }

  override async Delete(table: string, info: Record<string, unknown>): Promise<boolean> {
    if (UNUSED_TABLES.has(table)) {
      return true;
    }
    return this.changing(table, () => super.Delete(table, info));
  }

  /**
   * A platform examgate changes is seen at once by this process: its rows and key set are
   * read afresh. Forgotten before the write and again after it, so a read that ran meanwhile
   * cannot keep the old row.
   */
  private async changing(table: string, write: () => Promise<boolean>): Promise<boolean> {
    this.forget(table);
    try {
      return await write();
    } finally {
      this.forget(table);
    }
  }

  private forget(table: string): void {
    this.caches.rows.invalidate(table);
    if (table === 'platform') {
      this.caches.keySets.clear();
    }
  }

  /**
   * While ltijs validates a launch (the launch guard put its kid in scope), a platform whose
   * auth config is a key set URL is handed to ltijs with the one key that kid names, from
   * the key-set cache (ltijs would fetch the set over HTTP and convert the key each time).
   * ltijs then verifies the signature itself; a kid the set lacks leaves no key, which
   * ltijs refuses as KEY_NOT_FOUND. Stored rows are never changed.
   */
  private async withLaunchKey(rows: Rows): Promise<Rows> {
    const kid = launchKid();
    if (!rows || kid === undefined) {
      return rows;
    }
    return Promise.all(
      rows.map(async (row) => {
        const authConfig = row.authConfig as { method?: unknown; key?: unknown } | null | undefined;
        if (authConfig?.method !== 'JWK_SET' || typeof authConfig.key !== 'string') {
          return row;
        }
        try {
          const key = await this.caches.keySets.key(authConfig.key, kid);
          return { ...row, authConfig: { method: 'RSA_KEY', key: key ?? '' } };
        } catch (err) {
          if (err instanceof KeySetUnavailableError) {
            throw new Error('KEYSET_NOT_FOUND');
          }
          throw err;
        }
      }),
    );
  }

  #stateQuery: string | null = null;

  /**
   * ltijs reads its login state on every launch (to copy query parameters of the target link
   * URI). One plain SELECT answers it as ltijs-sequelize's Get would, without building a
   * model instance per row (a third of the cost).
   */
  private async readState(state: string): Promise<Rows> {
    if (this.#stateQuery === null) {
      const qi = this.db.getQueryInterface();
      const table = qi.quoteTable(this.db.model('state').getTableName());
      this.#stateQuery = `SELECT ${qi.quoteIdentifier('state')}, ${qi.quoteIdentifier('query')} FROM ${table} WHERE ${qi.quoteIdentifier('state')} = :state`;
    }
    const rows = await this.db.query<{ state: string; query: unknown }>(this.#stateQuery, {
      replacements: { state },
      type: QueryTypes.SELECT,
    });
    if (rows.length === 0) {
      return false;
    }
    // SQLite hands JSON columns back as text; PostgreSQL parses them.
    return rows.map((row) => ({ state: row.state, query: typeof row.query === 'string' ? (JSON.parse(row.query) as unknown) : row.query }));
  }
}
