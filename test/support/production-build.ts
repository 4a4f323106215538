import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildIsCurrent } from './build-freshness.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

/** The TypeScript toolchain: a production install needs none of it, and the copy below has none of it. */
export const TYPESCRIPT_TOOLCHAIN = new Set(['tsx', 'typescript', 'esbuild', '@esbuild', 'get-tsconfig', 'resolve-pkg-maps']);

/**
 * examgate as an operator deploys it, in `dir`: the compiled build (`npm run build`'s
 * tsconfig, into dir/dist; the repository's own dist/ copied when it is current), package.json, config/, views/ and public/, and a node_modules that holds
 * every installed package except the TypeScript toolchain (symlinked, not copied). Code in
 * the copy that reached for tsx would fail to find it.
 */
export async function buildProductionCopy(dir: string): Promise<{ main: string; reusedBuild: boolean }> {
  const reusedBuild = buildIsCurrent(REPO);
  if (reusedBuild) {
    // CI has just run `npm run build`: its output is copied, not compiled a second (and third) time.
    for (const compiled of ['src', 'examples'].filter((name) => existsSync(path.join(REPO, 'dist', name)))) {
      cpSync(path.join(REPO, 'dist', compiled), path.join(dir, 'dist', compiled), { recursive: true });
    }
  } else {
    await promisify(execFile)(process.execPath, [TSC, '-p', path.join(REPO, 'tsconfig.build.json'), '--outDir', path.join(dir, 'dist')], {
      cwd: REPO,
    });
  }
  for (const item of ['package.json', 'config', 'views', 'public']) {
    cpSync(path.join(REPO, item), path.join(dir, item), { recursive: true });
  }
  const modules = path.join(dir, 'node_modules');
  mkdirSync(modules);
  for (const name of readdirSync(path.join(REPO, 'node_modules'))) {
    if (!TYPESCRIPT_TOOLCHAIN.has(name) && name !== '.bin') {
      symlinkSync(path.join(REPO, 'node_modules', name), path.join(modules, name));
    }
  }
  return { main: path.join(dir, 'dist', 'src', 'main.js'), reusedBuild };
}
