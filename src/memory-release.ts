import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null | undefined;

/**
 * V8's collector, reached without starting node with --expose-gc: the flag, set now, gives a new
 * context its `gc`. Null where that is not possible (the flag refused).
 */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      const found: unknown = runInNewContext('typeof gc === "function" ? gc : null');
      collect = typeof found === 'function' ? (found as () => void) : null;
    } catch {
      collect = null;
    }
  }
  return collect;
}

/**
 * A full garbage collection now, after work that left a big heap behind (a 100 000-row import's
 * preview or commit). V8 collects when its heap reaches a limit it sets from the heap it last
 * found live, and a big preview's live rows raise that limit far above what the idle process
 * needs: the next big piece of work (the commit, seconds later) then grows the heap on top of
 * the old garbage, and the process's peak memory is the two together (about 150 MB more for
 * 100 000 rows). Collecting here lets the next work start from the idle heap. It takes some
 * tens of milliseconds, so it is only for work of that size.
 */
export function releaseMemory(): void {
  collector()?.();
}

/**
 * For long work that makes garbage at a steady rate, part by part (a big import's preview and
 * commit): the returned function counts the rows each part did and calls `releaseMemory` each
 * time `every` more are done, never for work smaller than that. V8 promotes a part's rows to its
 * old generation (they live across the part's database writes) and, with the heap far below its
 * limit, collects them late: a 100 000-row preview or commit grew its heap by about 1 MB a part,
 * some 90 MB of garbage, before one collection, and that set the process's peak.
 */
export function releaseEvery(every: number): (rows: number) => void {
  let since = 0;
  return (rows) => {
    since += rows;
    if (since >= every) {
      since = 0;
      releaseMemory();
    }
  };
}
