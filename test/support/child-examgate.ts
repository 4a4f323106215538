import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** An examgate started as its own process (`node --import tsx src/main.ts`), as an operator runs it. */
export interface ChildExamgate {
  /** Where the test reaches it (http://127.0.0.1:PORT), whatever its PUBLIC_URL says. */
  url: string;
  pid: number;
  /** What the process printed so far. */
  output(): { stdout: string; stderr: string };
  alive(): boolean;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

const MAIN = path.resolve(import.meta.dirname, '..', '..', 'src', 'main.ts');
// --import resolves against the working directory, so name tsx's loader by its full URL.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Whatever happens to the test run, no examgate child outlives it. */
function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) {
        if (c.pid !== undefined) {
          try {
            process.kill(c.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }
}

/** Whether `port` on 127.0.0.1 can be listened on now. */
function canListen(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago, with the next one free too: in development examgate runs
 * the sample engine on PORT + 1 (the OS picks the port; main.ts needs a fixed PORT to print
 * PUBLIC_URL). Other processes on a shared machine may still take either in between.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 20; tries++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (typeof address !== 'object' || address === null) {
      throw new Error('no port');
    }
    if (address.port < 65535 && (await canListen(address.port + 1))) {
      return address.port;
    }
  }
  throw new Error('no free pair of ports on 127.0.0.1');
}

/** A temporary directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

async function waitUntilHealthy(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`examgate exited (${child.exitCode ?? child.signalCode}) before it answered:\n${output()}`);
    }
    const ok = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`examgate did not answer /healthz within ${timeoutMs} ms:\n${output()}`);
}

/**
 * Starts src/main.ts on 127.0.0.1 and a free port with only the given environment (plus PATH),
 * in `cwd` (main.ts and the demo keep files under ./data), and waits until /healthz answers.
 * `entry` runs another entry point with node instead (the compiled build's dist/src/main.js).
 */
export async function startChildExamgate(options: {
  env: Record<string, string>;
  cwd: string;
  timeoutMs?: number;
  /** Modules (absolute paths, TypeScript allowed) loaded with --import before main.ts: test-only setup of the process. */
  imports?: string[];
  /** A compiled entry point (dist/src/main.js) to run with plain node instead of main.ts under tsx. */
  entry?: string;
}): Promise<ChildExamgate> {
  // A fixed PORT (a process restarted where the LMS knows it) is kept; otherwise any free one.
  const port = options.env.PORT ? Number(options.env.PORT) : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), PUBLIC_URL: url, LOG_LEVEL: 'silent', ...options.env };
  const preloads = (options.imports ?? []).flatMap((file) => ['--import', pathToFileURL(file).href]);
  const args = options.entry ? [...preloads, options.entry] : ['--import', TSX_LOADER, ...preloads, MAIN];
  const child = spawn(process.execPath, args, { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) {
    throw new Error('examgate could not be spawned');
  }
  killOnExit(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async () => {
    if (!alive()) {
      return;
    }
    process.kill(pid, 'SIGTERM');
    const timer = setTimeout(() => alive() && process.kill(pid, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilHealthy(url, child, options.timeoutMs ?? 30_000, () => `${stdout}\n${stderr}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, pid, output: () => ({ stdout, stderr }), alive, stop };
}
