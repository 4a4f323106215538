import { spawn } from 'node:child_process';
import type { TestWorld } from './examgate-under-test.js';

/**
 * `npm run platform -- ARGS` against the world's database, as an operator runs it (its own
 * process, compiling the sources on start: give such a test a generous timeout); `env`
 * overrides the settings its shell has. Resolves with what it printed and its exit code.
 */
export function platformCli(
  world: TestWorld,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/platform.ts', ...args], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      DATABASE_URL: world.config.DATABASE_URL,
      PUBLIC_URL: world.url,
      LOG_LEVEL: 'silent',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}
