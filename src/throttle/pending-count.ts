import type { RowInsert } from '../db/row-insert.js';
import type { Keyed, ThrottleService } from './throttle.service.js';

/**
 * A request's throttle count, taken exactly once but not necessarily first. The LTI login
 * initiation ends, on its usual way, by writing a row (its login request): it counts in the
 * statement that writes that row, one round trip instead of two on every launch. Every other
 * way it ends (a refusal, an unknown platform) counts alone before answering. Either way a
 * request over the limit is refused with ThrottledError, as ThrottleService.count refuses,
 * and a refused request writes no row.
 */
export class PendingCount {
  #taken = false;

  constructor(
    private readonly throttle: ThrottleService,
    private readonly keyed: Keyed[],
  ) {}

  get taken(): boolean {
    return this.#taken;
  }

  /** Counts now; once taken, counts nothing more. */
  async take(): Promise<void> {
    if (this.#taken) {
      return;
    }
    this.#taken = true;
    await this.throttle.count(...this.keyed);
  }

  /** Counts and inserts `row` unless the count refuses; once taken, only inserts. */
  async takeWithInsert(row: RowInsert): Promise<void> {
    const keyed = this.#taken ? [] : this.keyed;
    this.#taken = true;
    await this.throttle.countThenInsert(keyed, row);
  }
}

const LOCALS_KEY = 'pendingThrottleCount';

/** Leaves the count of this request to whoever answers it (`pendingCountOf`). */
export function deferCount(locals: Record<string, unknown>, pending: PendingCount): void {
  locals[LOCALS_KEY] = pending;
}

/** The count `deferCount` left for this request, if any. */
export function pendingCountOf(locals: Record<string, unknown>): PendingCount | null {
  const pending = locals[LOCALS_KEY];
  return pending instanceof PendingCount ? pending : null;
}
