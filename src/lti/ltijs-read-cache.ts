type Rows = Record<string, unknown>[] | false;

/**
 * ltijs re-reads these on every login and launch (the platform twice, its status twice);
 * they change only when a platform is registered, changed or removed.
 * `publickey`/`privatekey` are the tool's own key pairs, decrypted on every read.
 */
const CACHED_TABLES: ReadonlySet<string> = new Set(['platform', 'platformStatus', 'publickey', 'privatekey']);

/** "No row" is a real answer for a platform's status (no row = active); for the others it may be about to change. */
const NEGATIVE_ANSWER_CACHED: ReadonlySet<string> = new Set(['platformStatus']);

interface Entry {
  rows: Rows;
  expiresAt: number;
}

/**
 * A short-lived read-through cache in front of ltijs's storage, for one process. A write
 * through this process to a table empties that table's entries at once; a change made by
 * another examgate process is seen within `ttlMs` (and examgate checks its own platform
 * table, uncached, on every launch, so a removed platform cannot launch meanwhile).
 */
export class LtijsReadCache {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<Rows>>();
  /** Bumped on every write, so a read that started before the write cannot store its stale answer. */
  readonly #generation = new Map<string, number>();

  constructor(private readonly ttlMs = 30_000) {}

  async get(encrypted: boolean, table: string, info: Record<string, unknown> | undefined, load: () => Promise<Rows>): Promise<Rows> {
    if (!CACHED_TABLES.has(table)) {
      return load();
    }
    const key = `${table}\u0000${encrypted ? 'e' : 'p'}\u0000${JSON.stringify(info ?? null)}`;
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > Date.now()) {
      return hit.rows;
    }
    const shared = this.#loading.get(key);
    if (shared) {
      return shared;
    }
    // Concurrent logins and launches of one platform share one query.
    const generation = this.#generation.get(table) ?? 0;
    const loading = load();
    this.#loading.set(key, loading);
    let rows: Rows;
    try {
      rows = await loading;
    } finally {
      if (this.#loading.get(key) === loading) {
        this.#loading.delete(key);
      }
    }
    if ((rows || NEGATIVE_ANSWER_CACHED.has(table)) && generation === (this.#generation.get(table) ?? 0)) {
      this.#entries.set(key, { rows, expiresAt: Date.now() + this.ttlMs });
    }
    return rows;
  }

  /** After a write to `table` (by this process): its entries are gone, and reads in flight will not be stored. */
  invalidate(table: string): void {
    if (!CACHED_TABLES.has(table)) {
      return;
    }
    this.#generation.set(table, (this.#generation.get(table) ?? 0) + 1);
    const prefix = `${table}\u0000`;
    for (const key of this.#entries.keys()) {
      if (key.startsWith(prefix)) {
        this.#entries.delete(key);
      }
    }
    for (const key of this.#loading.keys()) {
      if (key.startsWith(prefix)) {
        this.#loading.delete(key);
      }
    }
  }
}
