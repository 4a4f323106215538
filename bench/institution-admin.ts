import { execFile } from 'node:child_process';
import path from 'node:path';
import type { Browser } from '../src/lms-sim/browser.js';
import { httpBrowser } from './http-browser.js';
import type { RunningTool } from './sections/launch-tools.js';

const REPO = path.resolve(import.meta.dirname, '..');
const CLI = path.join(REPO, 'dist', 'src', 'cli', 'admin.js');
const USERNAME = 'bench-exam-office';
const PASSWORD = 'Bench-Office-Passw0rd';

/** Adds the admin account with the compiled CLI (`npm run admin:prod -- add`), as an operator makes the first one. */
function addAccount(tool: RunningTool): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, 'add', '--platform', tool.platformId ?? '', '--username', USERNAME, '--password-stdin'],
      { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...tool.env } },
      (err, _stdout, stderr) => (err ? reject(new Error(`the admin CLI failed: ${stderr || err.message}`)) : resolve()),
    );
    child.stdin?.end(`${PASSWORD}\n`);
  });
}

/** A browser signed in to the institution admin area of the tool's platform (an account of its own, made by the CLI). */
export async function institutionAdmin(tool: RunningTool): Promise<Browser> {
  if (!tool.platformId || !tool.env) {
    throw new Error('an institution admin needs an examgate started by startExamgate');
  }
  await addAccount(tool);
  const browser = httpBrowser();
  const signedIn = await browser.request(`${tool.url}/institution/sign-in`, {
    form: { username: USERNAME, password: PASSWORD, code: '' },
    headers: { origin: tool.url },
  });
  await signedIn.arrayBuffer();
  if (signedIn.status !== 303) {
    throw new Error(`the admin's sign-in answered ${signedIn.status}`);
  }
  return browser;
}
