import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { ProbeReply, ProbeRequest } from './child-probe.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const READY_TIMEOUT_MS = 120_000;
const OUTPUT_KEPT = 8_000;

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    child.kill('SIGKILL');
  }
});

/** A free TCP port on 127.0.0.1 (asked of the OS, then released for the child to take). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') {
    throw new Error('could not find a free port');
  }
  return address.port;
}

export interface ToolProcessOptions {
  /** Compiled JavaScript to run with plain node (bench/build.ts made it): no TypeScript runtime in the measured process. */
  entry: string;
  /** A module loaded before `entry` (`node --import`), e.g. the CPU probe in front of examgate's own entry point. */
  preload?: string;
  name: string;
  env: Record<string, string>;
  /** 'ipc': the child says when it is ready; otherwise a URL to poll until it answers 200. */
  ready: 'ipc' | { url: string };
  /** Directory for a V8 CPU profile of the child (written when it exits), if wanted. */
  cpuProfileDir?: string;
}

/** One tool under test in its own process (ltijs is a per-process singleton). */
export class ToolProcess {
  #output = '';
  #nextProbe = 1;
  readonly #pending = new Map<number, (reply: ProbeReply) => void>();

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-OUTPUT_KEPT);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A send to a child that has died emits 'error'; cpuMs() reports it instead.
    child.on('error', () => undefined);
    child.on('message', (message: ProbeReply) => {
      if (message?.type === 'cpu' || message?.type === 'profile' || message?.type === 'statements' || message?.type === 'collections') {
        this.#pending.get(message.id)?.(message);
        this.#pending.delete(message.id);
      }
    });
  }

  static async start(options: ToolProcessOptions): Promise<ToolProcess> {
    // Set in full: fork would otherwise pass on the bench's own flags, which load tsx.
    const execArgv = options.preload ? ['--import', options.preload] : [];
    if (options.cpuProfileDir) {
      execArgv.push('--cpu-prof', `--cpu-prof-dir=${path.join(options.cpuProfileDir, options.name)}`);
    }
    const child = fork(options.entry, [], {
      execArgv,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const tool = new ToolProcess(options.name, child);
    try {
      await tool.#waitReady(options.ready);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return tool;
  }

  /** The child's output so far (the last few KB), for error messages. */
  get output(): string {
    return this.#output;
  }

  async #waitReady(ready: ToolProcessOptions['ready']): Promise<void> {
    const exited = new Promise<never>((_, reject) =>
      this.child.once('exit', (code) => reject(new Error(`${this.name} exited (code ${code}) before it was ready:\n${this.#output}`))),
    );
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`${this.name} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${this.#output}`)),
        READY_TIMEOUT_MS,
      ).unref(),
    );
    let waiting = true;
    const isReady =
      ready === 'ipc'
        ? new Promise<void>((resolve) => this.child.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve()))
        : pollUntilOk(ready.url, () => waiting);
    try {
      await Promise.race([isReady, exited, timeout]);
    } finally {
      waiting = false;
    }
  }

  /** The child's resident memory now, in MiB (Linux /proc; NaN where that cannot be read). */
  rssMiB(): number {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
    } catch {
      return Number.NaN;
    }
  }

  /**
   * The child's peak resident memory (VmHWM) in MiB since it started or since the last
   * `resetPeakRss` (NaN where /proc cannot be read): the kernel's own high-water mark, so a
   * short spike between two samples is not missed.
   */
  peakRssMiB(): number {
    try {
      const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
      return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
    } catch {
      return Number.NaN;
    }
  }

  /** Starts a new high-water mark at the child's present RSS (Linux: `5` into /proc/PID/clear_refs); false where that is not allowed. */
  resetPeakRss(): boolean {
    try {
      writeFileSync(`/proc/${this.child.pid}/clear_refs`, '5');
      return true;
    } catch {
      return false;
    }
  }

  /** CPU time (user + system, ms) the child has used since it started. */
  async cpuMs(): Promise<number> {
    const { userMs, systemMs } = await this.cpuSplit();
    return userMs + systemMs;
  }

  /** The same, split: user (JavaScript, native code) and system (the kernel: sockets, other system calls). */
  async cpuSplit(): Promise<{ userMs: number; systemMs: number }> {
    const reply = await this.#ask({ type: 'cpu' });
    return reply.type === 'cpu'
      ? { userMs: reply.user / 1000, systemMs: reply.system / 1000 }
      : { userMs: Number.NaN, systemMs: Number.NaN };
  }

  /** Statements the child has sent to its database driver since it started (bench/child-probe.ts); null when it has none the probe knows. */
  async statements(): Promise<number | null> {
    const reply = await this.#ask({ type: 'statements' });
    return reply.type === 'statements' ? reply.count : null;
  }

  /** The child's garbage collections since the last call (or its start): count, total and longest pause in ms. */
  async collections(): Promise<{ count: number; totalMs: number; longestMs: number }> {
    const reply = await this.#ask({ type: 'collections' });
    return reply.type === 'collections'
      ? { count: reply.count, totalMs: reply.totalMs, longestMs: reply.longestMs }
      : { count: Number.NaN, totalMs: Number.NaN, longestMs: Number.NaN };
  }

  /** Starts V8's sampling profiler in the child; `stopProfile` writes what it sampled. */
  async startProfile(intervalUs: number): Promise<void> {
    await this.#profileCommand({ type: 'profile-start', intervalUs });
  }

  async stopProfile(file: string): Promise<void> {
    await this.#profileCommand({ type: 'profile-stop', file });
  }

  async #profileCommand(request: DistributiveOmit<ProbeRequest, 'id'>): Promise<void> {
    const reply = await this.#ask(request);
    if (reply.type === 'profile' && reply.error) {
      throw new Error(`${this.name}: ${reply.error}`);
    }
  }

  #ask(request: DistributiveOmit<ProbeRequest, 'id'>): Promise<ProbeReply> {
    const id = this.#nextProbe++;
    if (!this.child.connected) {
      return Promise.reject(new Error(`${this.name} has exited:\n${this.#output}`));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not answer the probe (${request.type})`)), 30_000);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.send({ ...request, id });
    });
  }

  /** SIGTERM, then SIGKILL if it has not gone after 15 s. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await gone;
    clearTimeout(timer);
  }
}

async function pollUntilOk(url: string, stillWaiting: () => boolean): Promise<void> {
  while (stillWaiting()) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
