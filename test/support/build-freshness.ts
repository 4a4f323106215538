import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What `npm run build` compiles: src/ and what it imports from examples/ (tsconfig.build.json). */
const SOURCE_DIRS = ['src', 'examples'];
/** Settings that change what every file compiles to. */
const BUILD_SETTINGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'];

function typescriptFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => path.join(dir, name));
}

const mtimeOf = (file: string) => statSync(file).mtimeMs;

/**
 * Whether `root`/dist holds the build of `root`'s sources as they are now, so that it need not
 * be compiled again (CI runs `npm run build` just before the suite). The build compiles each
 * file on its own (isolatedModules, verbatimModuleSyntax: a file's output depends on that file
 * and the settings only), so it is current when every file of src/ has its output, every
 * output is at least as new as its source, and none is older than the build settings. Files
 * of examples/ that src/ does not import have no output and are not asked for. Anything else
 * (a source edited after the build, a new file, changed settings, no dist at all) is stale.
 * A build that had type errors still emits: the type check is `npm run typecheck`'s job.
 */
export function buildIsCurrent(root: string): boolean {
  const settingsChanged = Math.max(...BUILD_SETTINGS.map((name) => mtimeOf(path.join(root, name))));
  for (const dir of SOURCE_DIRS) {
    for (const source of typescriptFiles(path.join(root, dir))) {
      const output = path.join(root, 'dist', path.relative(root, source)).replace(/\.ts$/, '.js');
      if (!existsSync(output)) {
        if (dir === 'src') {
          return false;
        }
        continue;
      }
      const built = mtimeOf(output);
      if (built < mtimeOf(source) || built < settingsChanged) {
        return false;
      }
    }
  }
  return true;
}
