import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const REPO = path.resolve(import.meta.dirname, '..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The bench's own tool processes (bare ltijs, the CPU probe, the HTTP floor), compiled, so none of them runs under tsx. */
export const TOOLS_DIR = path.join(REPO, 'dist', 'bench-tools');

/** The CPU probe examgate is started with (`node --import`), as a URL so any working directory works. */
export const PROBE_PRELOAD = pathToFileURL(path.join(TOOLS_DIR, 'probe-preload.js')).href;

/** Where a checkout's production build starts. */
export function productionMain(checkout: string): string {
  return path.join(checkout, 'dist', 'src', 'main.js');
}

async function tsc(project: string, log: (message: string) => void): Promise<void> {
  const started = Date.now();
  try {
    await promisify(execFile)(process.execPath, [TSC, '-p', project], { cwd: path.dirname(project) });
  } catch (err) {
    const output = err as { stdout?: string; stderr?: string };
    throw new Error(`tsc -p ${project} failed:\n${output.stdout ?? ''}${output.stderr ?? ''}`, { cause: err });
  }
  log(`built ${path.relative(process.cwd(), project) || project} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * What the bench measures is the production build: `npm run build` (tsconfig.build.json) of
 * this tree and of every --compare-checkout, made afresh so the figures are of the code as
 * it is now. The bench's tool processes are compiled beside it.
 */
export async function buildForBench(checkouts: string[], log: (message: string) => void): Promise<void> {
  for (const checkout of [REPO, ...checkouts]) {
    await tsc(path.join(checkout, 'tsconfig.build.json'), log);
  }
  rmSync(TOOLS_DIR, { recursive: true, force: true });
  await tsc(path.join(REPO, 'bench', 'tsconfig.tools.json'), log);
}
