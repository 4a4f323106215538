import LtijsSequelizeDatabase from 'ltijs-sequelize';
import type { Options } from 'sequelize';
import type { DatabaseTarget } from '../db/database.js';
import { withSqliteTuning } from '../db/sequelize.js';
import { applyLtijsStorageMigrationsQuietly } from './ltijs-storage-migrations.js';
import { launchKid } from './launch-scope.js';
import type { SecretKeys } from '../config.js';
import type { ResealReport } from '../stored-secrets.js';
import { LtijsReadCache } from './ltijs-read-cache.js';
import { LtijsSealedRows, SEALED_TABLES } from './ltijs-sealed-rows.repository.js';
import { KeySetUnavailableError, PlatformKeySets } from './platform-keys.js';

type Rows = Record<string, unknown>[] | false;

/**
 * Tables ltijs writes on every login and launch that examgate never reads. `idtoken` and
 * `contexttoken` keep the verified launch for ltijs's ltik flow: examgate runs ltijs in
 * ltiaas mode, hands out no ltik and keeps its own session. `state` keeps the query
 * parameters of a target link URI, to copy them into the launch request: examgate places
 * its links without any (a custom claim names the test) and reads none. (State validation
 * itself rests on ltijs's signed state cookie, not on this table.) So these are not
 * written, and reads find nothing.
 */
const UNUSED_TABLES: ReadonlySet<string> = new Set(['idtoken', 'contexttoken', 'state']);

/**
 * ltijs's own connection pool: with its launch reads cached and its unused tables skipped it
 * sees little traffic (registrations, service tokens), so it need not hold as many PostgreSQL
 * connections as examgate's pool beside it.
 */
const LTIJS_POOL_MAX = 5;

function ltijsPoolOptions(options: Options): Options {
  return options.pool
    ? { ...options, pool: { ...options.pool, max: Math.min(options.pool.max ?? LTIJS_POOL_MAX, LTIJS_POOL_MAX) } }
    : options;
}

/** The caches in front of ltijs's storage (one set per process; pass others for other lifetimes). */
export interface LtiStorageCaches {
  rows: LtijsReadCache;
  keySets: PlatformKeySets;
}

/**
 * ltijs's official SQL storage plugin, with nonces kept in examgate's own table instead.
 * ltijs asks `Get('nonce')` then `Insert('nonce')` while it validates; both answer without a
 * statement ("unseen", "recorded"), because the launch records its nonce when it ends its
 * login, in the one statement that ends it (login-request.repository.ts, `end`): a used
 * nonce is refused there for as long as a token could be accepted, and two processes can
 * never both accept it.
 *
 * And so that a launch costs little: platform rows and the tool's own keys are cached for a
 * short time (ltijs-read-cache.ts), the platform's signing key comes from a key-set cache
 * instead of an HTTP fetch per launch (platform-keys.ts), and the tables examgate never
 * reads are not written.
 */
export class ExamgateLtiDatabase extends LtijsSequelizeDatabase {
  readonly #sealed: LtijsSealedRows;

  constructor(
    target: DatabaseTarget,
    /** SECRET_KEY (what ltijs encrypts with), then SECRET_KEY_PREVIOUS during a rotation. */
    private readonly secretKeys: SecretKeys | null = null,
    private readonly caches: LtiStorageCaches = { rows: new LtijsReadCache(), keySets: new PlatformKeySets() },
  ) {
    super(target.database, target.username, target.password, withSqliteTuning(ltijsPoolOptions(target.options)));
    this.#sealed = new LtijsSealedRows(this.db, this);
  }

  override async Get(encryptionKey: string | false, table: string, info?: Record<string, unknown>): Promise<Rows> {
    if (table === 'nonce' || UNUSED_TABLES.has(table)) {
      return false;
    }
    const rows = await this.caches.rows.get(Boolean(encryptionKey), table, info, () => this.read(encryptionKey, table, info));
    return table === 'platform' ? this.withLaunchKey(rows) : rows;
  }

  /** Start-up: ltijs's encrypted rows left under SECRET_KEY_PREVIOUS by a rotation are sealed under SECRET_KEY. */
  async resealStoredKeys(): Promise<ResealReport> {
    if (!this.secretKeys) {
      throw new Error('ExamgateLtiDatabase was made without the secret keys');
    }
    const report = await this.#sealed.reseal(this.secretKeys);
    for (const table of SEALED_TABLES) {
      this.forget(table);
    }
    return report;
  }

  // --- Rotation: ltijs opens its encrypted rows with SECRET_KEY only (ltijs-sealed-rows.repository.ts).
  private async read(encryptionKey: string | false, table: string, info?: Record<string, unknown>): Promise<Rows> {
    try {
      return await super.Get(encryptionKey, table, info);
    } catch (err) {
      if (!encryptionKey || !SEALED_TABLES.has(table) || !this.secretKeys || this.secretKeys.length < 2) {
        throw err;
      }
      // A row still sealed under SECRET_KEY_PREVIOUS (another process not yet restarted wrote it, or
      // this one re-sealed nothing yet): each row opens with the secret that sealed it. A cached
      // service token is not worth it: ltijs asks for a new one.
      return table === 'accesstoken' ? false : this.#sealed.read(table, info, this.secretKeys);
    }
  }

  override async Insert(encryptionKey: string | false, table: string, item: Record<string, unknown>, index?: Record<string, unknown>) {
    if (table === 'nonce') {
      if (typeof item.nonce !== 'string' || item.nonce === '') {
        throw new Error('NO_NONCE_CLAIM');
      }
      return true;
    }
    if (UNUSED_TABLES.has(table)) {
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
            throw new Error('KEYSET_NOT_FOUND', { cause: err });
          }
          throw err;
        }
      }),
    );
  }
}
