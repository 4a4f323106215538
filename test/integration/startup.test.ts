import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';

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

describe('the sample delivery engine beside examgate in development', function () {
  this.timeout(60_000);
  let work: ReturnType<typeof tempDir>;
  let child: ChildExamgate | null = null;
  beforeEach(() => {
    work = tempDir('examgate-sample-engine-');
  });
  afterEach(async () => {
    await child?.stop();
    child = null;
    work.remove();
  });
  const development = (env: Record<string, string> = {}) => ({
    NODE_ENV: 'development',
    DATABASE_URL: `sqlite:${work.dir}/examgate.sqlite`,
    ...env,
  });
  const engineLine = (stdout: string) => /Sample delivery engine: (\S+) .*/.exec(stdout)?.[0] ?? '';

  it('when PUBLIC_URL is https and neither SAMPLE_ENGINE_URL nor DEFAULT_DELIVERY_URL is set, then the process exits 1 saying what to set', async () => {
    const { code, stderr } = await runMain(development({ PUBLIC_URL: 'https://examgate.example.test', PORT: '3000' }));
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.contain('PUBLIC_URL is https, so the sample delivery engine cannot be reached at an address derived from it');
    expect(stderr).to.contain('plain http on port 3001');
    expect(stderr).to.contain('Set SAMPLE_ENGINE_URL to the https address where your proxy serves that port');
    expect(stderr).to.contain('or set DEFAULT_DELIVERY_URL to your own delivery engine');
  });

  it('when PUBLIC_URL is http, then the engine answers at the derived address examgate hands off to, keys included', async () => {
    child = await startChildExamgate({ cwd: work.dir, env: development() });
    const port = Number(new URL(child.url).port);
    expect(engineLine(child.output().stdout)).to.contain(`Sample delivery engine: http://127.0.0.1:${port + 1}/ `);
    const jwks = await fetch(`http://127.0.0.1:${port + 1}/.well-known/jwks.json`);
    expect(jwks.status).to.equal(200);
    expect(((await jwks.json()) as { keys: unknown[] }).keys).to.have.length(1);
    expect(await (await fetch(`http://127.0.0.1:${port + 1}/`)).text()).to.contain('No test is in progress in this browser.');
  });

  it('when PUBLIC_URL is https and SAMPLE_ENGINE_URL is set, then hand-offs go to that address and the engine listens on the next port for the proxy', async () => {
    const sampleEngineUrl = 'https://engine.example.test';
    child = await startChildExamgate({
      cwd: work.dir,
      env: development({ PUBLIC_URL: 'https://examgate.example.test', SAMPLE_ENGINE_URL: sampleEngineUrl }),
    });
    const port = Number(new URL(child.url).port);
    expect(engineLine(child.output().stdout)).to.equal(
      `Sample delivery engine: https://engine.example.test/ (tests without a delivery URL of their own go there). Your proxy forwards that address to http://127.0.0.1:${port + 1}, where it listens.`,
    );
    expect((await fetch(`http://127.0.0.1:${port + 1}/.well-known/jwks.json`)).status).to.equal(200);
  });
});
