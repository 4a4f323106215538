const SWEEP_INTERVAL_MS = 60_000;

/**
 * Remembers the ids (jti) of accepted hand-offs until their token could no longer be
 * accepted anyway. In memory, so it holds for one process only: a production engine with
 * several processes needs a shared store (a database table or Redis SET NX with expiry).
 */
export class ReplayStore {
  readonly #seen = new Map<string, number>();
  #lastSweep = 0;

  /** True the first time a jti is seen (and records it); false on every replay before `rememberUntilMs`. */
  useOnce(jti: string, rememberUntilMs: number, now = Date.now()): boolean {
    this.#sweep(now);
    const until = this.#seen.get(jti);
    if (until !== undefined && until > now) {
      return false;
    }
    this.#seen.set(jti, rememberUntilMs);
    return true;
  }

  clear(): void {
    this.#seen.clear();
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < SWEEP_INTERVAL_MS) {
      return;
    }
    this.#lastSweep = now;
    for (const [jti, until] of this.#seen) {
      if (until <= now) {
        this.#seen.delete(jti);
      }
    }
  }
}
