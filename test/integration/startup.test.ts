import { spawn } from 'node:child_process';
import { expect } from 'chai';

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('start-up failures', () => {
  it('when a setting is malformed, then the process exits 1 with one line naming it', async () => {
    const { code, stderr } = await runMain({ NODE_ENV: 'production', PUBLIC_URL: 'not a url', SECRET_KEY: 'x'.repeat(40) });
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.contain('PUBLIC_URL must be an absolute URL');
  });

  it('when the database does not answer, then the process exits 1 saying which database', async () => {
    const { code, stderr } = await runMain({
      NODE_ENV: 'test',
      PUBLIC_URL: 'http://127.0.0.1:1',
      DATABASE_URL: 'postgres://postgres:secret@127.0.0.1:9/examgate',
    });
    expect(code).to.equal(1);
    expect(stderr).to.contain('Cannot reach the database at postgres://postgres:***@127.0.0.1:9/examgate');
    expect(stderr).not.to.contain('secret');
  });
});
