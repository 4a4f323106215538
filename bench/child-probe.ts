import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';

/**
 * Loaded first in every tool process the bench starts (beside examgate's own entry point,
 * never inside examgate's code): answers the bench's questions over the IPC channel, so
 * measuring needs no HTTP route in the tool.
 */
export type ProbeRequest =
  | { type: 'cpu'; id: number }
  /** How many statements this process has sent to its database driver so far. */
  | { type: 'statements'; id: number }
  /** Starts V8's sampling profiler in this process (interval in microseconds). */
  | { type: 'profile-start'; id: number; intervalUs: number }
  /** Stops it and writes the .cpuprofile to `file`. */
  | { type: 'profile-stop'; id: number; file: string }
  /** V8's garbage collections since the last such request (or the start): how many, and their pauses. */
  | { type: 'collections'; id: number };

export type ProbeReply =
  | {
      type: 'cpu';
      id: number;
      /** process.cpuUsage() of this process, microseconds. */
      user: number;
      system: number;
    }
  | { type: 'profile'; id: number; error?: string }
  | { type: 'collections'; id: number; count: number; totalMs: number; longestMs: number }
  /** Null when the tool's database driver could not be found to count on. */
  | { type: 'statements'; id: number; count: number | null };

let statements: number | null = null;

type Patchable = Record<string, unknown>;

/** Wraps `methods` of `prototype` so that each call counts one statement. */
function countCalls(prototype: Patchable, methods: readonly string[]): void {
  for (const method of methods) {
    const original = prototype[method];
    if (typeof original !== 'function') {
      continue;
    }
    prototype[method] = function counted(this: unknown, ...args: unknown[]): unknown {
      statements = (statements ?? 0) + 1;
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
  }
}

/**
 * Counts every statement the tool sends to its database: node-postgres's Client#query (BEGIN
 * and COMMIT included: each is a round trip) and node-sqlite3's statement methods. The drivers
 * are resolved from the tool's entry point, so this wraps the very module instances the tool
 * loads (before it loads them); nothing of the tool's own code is touched.
 */
function countStatements(): void {
  const entry = process.argv[1];
  if (!entry) {
    return;
  }
  const resolve = createRequire(path.resolve(entry));
  for (const [name, prototypeOf, methods] of [
    ['pg', (m: Patchable) => (m.Client as { prototype: Patchable } | undefined)?.prototype, ['query']],
    ['sqlite3', (m: Patchable) => (m.Database as { prototype: Patchable } | undefined)?.prototype, ['all', 'run', 'get', 'exec', 'each']],
  ] as const) {
    try {
      const prototype = prototypeOf(resolve(name) as Patchable);
      if (prototype) {
        countCalls(prototype, methods);
        statements ??= 0;
      }
    } catch {
      // This tool does not use that driver.
    }
  }
}

/** Collections since the bench last asked: each PerformanceEntry of type 'gc' is one pause of the main thread. */
const collections = { count: 0, totalMs: 0, longestMs: 0 };

function watchCollections(): void {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      collections.count += 1;
      collections.totalMs += entry.duration;
      collections.longestMs = Math.max(collections.longestMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
}

let profiler: Session | null = null;

async function profile(request: Extract<ProbeRequest, { type: 'profile-start' | 'profile-stop' }>): Promise<void> {
  if (request.type === 'profile-start') {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: request.intervalUs });
    await profiler.post('Profiler.start');
    return;
  }
  if (!profiler) {
    throw new Error('no profile was started');
  }
  const { profile: taken } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = null;
  writeFileSync(request.file, JSON.stringify(taken));
}

export function installProbe(): void {
  if (!process.send) {
    throw new Error('bench tool processes must be started by the bench (they need its IPC channel)');
  }
  countStatements();
  watchCollections();
  process.on('message', (message: ProbeRequest) => {
    if (message?.type === 'collections') {
      process.send?.({ type: 'collections', id: message.id, ...collections } satisfies ProbeReply);
      Object.assign(collections, { count: 0, totalMs: 0, longestMs: 0 });
    }
    if (message?.type === 'statements') {
      process.send?.({ type: 'statements', id: message.id, count: statements } satisfies ProbeReply);
    }
    if (message?.type === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send?.({ type: 'cpu', id: message.id, user, system } satisfies ProbeReply);
    }
    if (message?.type === 'profile-start' || message?.type === 'profile-stop') {
      profile(message).then(
        () => process.send?.({ type: 'profile', id: message.id } satisfies ProbeReply),
        (err: unknown) => process.send?.({ type: 'profile', id: message.id, error: String(err) } satisfies ProbeReply),
      );
    }
  });
  // The IPC channel must not keep a tool alive after its own shutdown, and a tool must not
  // outlive the bench (however the bench ended, its end closes the channel).
  process.channel?.unref();
  process.once('disconnect', () => process.exit(0));
}

/** Tells the bench this process is ready to be measured. */
export function signalReady(details: Record<string, unknown> = {}): void {
  process.send?.({ type: 'ready', ...details });
}
