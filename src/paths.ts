import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The folder that holds package.json, config/, views/ and public/. This file runs from src/ (tsx, the
 * tests) or from the compiled build (dist/src/); both lie below that folder, so the nearest
 * folder upwards with a package.json is it, whatever the working directory. (The build needs
 * package.json beside it anyway: it says the .js files are ES modules.)
 */
function findAppRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) {
      return dir;
    }
    if (path.dirname(dir) === dir) {
      throw new Error(`examgate cannot find its package.json in any folder above ${from}`);
    }
  }
}

export const APP_ROOT = findAppRoot(import.meta.dirname);
export const CONFIG_DIR = path.join(APP_ROOT, 'config');
export const VIEWS_DIR = path.join(APP_ROOT, 'views');
export const PUBLIC_DIR = path.join(APP_ROOT, 'public');
