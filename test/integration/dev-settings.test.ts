import { expect } from 'chai';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';

const ADMIN_TOKEN = 'dev-settings-admin-token-0123456789';

/** `npm start` as a newcomer runs it: development, a PORT of their choice, PUBLIC_URL mostly unset. */
describe('development settings that agree (PORT, PUBLIC_URL, the demo platform, the admin page)', function () {
  this.timeout(90_000);
  let work: ReturnType<typeof tempDir>;
  let child: ChildExamgate | null = null;
  beforeEach(() => {
    work = tempDir('examgate-dev-settings-');
  });
  afterEach(async () => {
    await child?.stop();
    child = null;
    work.remove();
  });

  const development = (env: Record<string, string> = {}) => ({
    NODE_ENV: 'development',
    DATABASE_URL: `sqlite:${work.dir}/examgate.sqlite`,
    ADMIN_TOKEN,
    // Empty is unset: PUBLIC_URL then follows PORT.
    PUBLIC_URL: '',
    ...env,
  });
  const portOf = (running: ChildExamgate) => new URL(running.url).port;
  async function demoIssuers(running: ChildExamgate): Promise<string[]> {
    const answer = await fetch(`${running.url}/admin/api/platforms`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(answer.status).to.equal(200);
    const { platforms } = (await answer.json()) as { platforms: Array<{ issuer: string; clientId: string }> };
    return platforms.filter((p) => p.clientId === 'examgate-demo').map((p) => p.issuer);
  }

  it('when only PORT is set, then every printed URL and the demo LMS use that port, the admin page is named and nothing is warned', async () => {
    child = await startChildExamgate({ cwd: work.dir, env: development() });
    const port = portOf(child);
    const { stdout, stderr } = child.output();
    expect(stdout).to.contain(`examgate is running at http://localhost:${port}\n`);
    expect(stdout).to.contain(`Admin page: http://localhost:${port}/admin`);
    expect(stdout).to.contain(`Demo LMS: open http://localhost:${port}/demo`);
    expect(stdout).not.to.contain('localhost:3000');
    expect(stderr).not.to.contain('WARNING');
    expect(await demoIssuers(child)).to.deep.equal([`http://localhost:${port}/demo`]);
  });

  it('when ADMIN_TOKEN is not set, then the start-up text does not offer the admin page', async () => {
    child = await startChildExamgate({ cwd: work.dir, env: development({ ADMIN_TOKEN: '' }) });
    expect(child.output().stdout).not.to.contain('Admin page');
  });

  it('when PUBLIC_URL and PORT disagree, then examgate says so at start, naming both ports', async () => {
    child = await startChildExamgate({ cwd: work.dir, env: development({ PUBLIC_URL: 'http://localhost:1' }) });
    const { stderr } = child.output();
    expect(stderr).to.contain(`WARNING: PUBLIC_URL http://localhost:1 names port 1, but examgate listens on PORT ${portOf(child)}`);
  });

  it('when examgate starts again on another port, then the demo LMS is registered for the new address and the old one is gone', async () => {
    child = await startChildExamgate({ cwd: work.dir, env: development() });
    const first = portOf(child);
    await child.stop();
    child = await startChildExamgate({ cwd: work.dir, env: development() });
    const second = portOf(child);
    expect(second).not.to.equal(first);
    expect(await demoIssuers(child)).to.deep.equal([`http://localhost:${second}/demo`]);
  });
});
