import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { Agent } from 'undici';
import { Browser, ROLE_LEARNER, type SimulatedLms } from '../../src/lms-sim/index.js';
import type { Transport } from '../../src/lms-sim/browser.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { freePort, startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { startHttpsLms, type HttpsLms } from '../support/https-lms.js';
import { buildProductionCopy, TYPESCRIPT_TOOLCHAIN } from '../support/production-build.js';
import { separateDatabaseUrl } from '../support/test-database.js';
import {
  makeTestCertificates,
  writeTestCertificates,
  type TestCertificateFiles,
  type TestCertificates,
} from '../support/tls/certificates.js';
import { TlsTerminatingProxy } from '../support/tls/proxy.js';

const SECRET_KEY = 'production-build-test-secret-0123456789abcdef';
const ADMIN_TOKEN = 'production-build-test-admin-token-0123456789';

/** fetch that trusts the test CA (and nothing else extra), for a simulated browser and the admin API. */
function trustingFetch(tls: TestCertificates) {
  const dispatcher = new Agent({ connect: { ca: tls.caPem } });
  return (url: string, init: RequestInit = {}) => fetch(url, { ...init, dispatcher } as RequestInit);
}

function browserTrusting(tls: TestCertificates): Browser {
  const fetchTls = trustingFetch(tls);
  const transport: Transport = (url, init) => fetchTls(url, { ...init, redirect: 'manual' });
  return new Browser(transport);
}

/** The settings an operator sets in production (README: Production deployment), for a process behind `publicUrl`. */
function productionEnv(publicUrl: string, databaseUrl: string, tls: TestCertificateFiles): Record<string, string> {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: publicUrl,
    DATABASE_URL: databaseUrl,
    SECRET_KEY,
    ADMIN_TOKEN,
    // The simulated LMS's certificate comes from the test CA, as a real one comes from a public CA.
    NODE_EXTRA_CA_CERTS: tls.caFile,
  };
}

/**
 * PostgreSQL when the run has one (CI's second run), in a database of its own (its SECRET_KEY
 * is not the test run's); otherwise a SQLite file relative to the working directory.
 */
let databaseUrl = 'sqlite:./data/examgate.sqlite';

describe('the production build (npm run build, then node dist/src/main.js with NODE_ENV=production)', function () {
  this.timeout(240_000);
  let work: ReturnType<typeof tempDir>;
  let app: { main: string };
  let tls: TestCertificates & TestCertificateFiles;
  let elsewhere: string;
  const stops: Array<() => Promise<void>> = [];

  before(async () => {
    work = tempDir('examgate-production-');
    app = await buildProductionCopy(path.join(work.dir, 'app'));
    const certificates = makeTestCertificates();
    tls = { ...certificates, ...writeTestCertificates(certificates, work.dir) };
    elsewhere = path.join(work.dir, 'somewhere-else');
    mkdirSync(elsewhere);
    if (process.env.TEST_DATABASE_URL) {
      databaseUrl = await separateDatabaseUrl('production');
    }
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) {
      await stop();
    }
  });
  after(() => work.remove());

  it('when it is copied without the TypeScript toolchain, then nothing of it is there to load', () => {
    const modules = path.join(work.dir, 'app', 'node_modules');
    for (const name of TYPESCRIPT_TOOLCHAIN) {
      expect(existsSync(path.join(modules, name)), name).to.equal(false);
    }
    expect(existsSync(path.join(modules, 'ltijs')), 'the runtime dependencies are there').to.equal(true);
  });

  it('when started from another folder behind a TLS proxy, then /readyz answers and a learner launched from an https LMS lands in examgate', async () => {
    const publicPort = await freePort();
    const publicUrl = `https://127.0.0.1:${publicPort}`;
    const child: ChildExamgate = await startChildExamgate({
      cwd: elsewhere,
      entry: app.main,
      env: productionEnv(publicUrl, databaseUrl, tls),
    });
    stops.push(() => child.stop());
    const proxy = await TlsTerminatingProxy.start('127.0.0.1', tls, publicPort);
    proxy.forwardTo(child.url);
    stops.push(() => proxy.close());
    const https: HttpsLms = await startHttpsLms({ clientId: `production-${Date.now()}`, deploymentId: 'production-deployment' }, tls);
    stops.push(() => https.close());
    const lms: SimulatedLms = https.lms;
    const fetchTls = trustingFetch(tls);

    const ready = await fetchTls(`${publicUrl}/readyz`);
    expect(ready.status, 'the database answers').to.equal(200);
    expect(await ready.json()).to.deep.equal({ status: 'ready' });
    if (!databaseUrl.startsWith('postgres')) {
      expect(existsSync(path.join(elsewhere, 'data', 'examgate.sqlite')), 'a relative SQLite path is the working directory’s').to.equal(
        true,
      );
    }

    const registered = await fetchTls(`${publicUrl}/admin/api/platforms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(lms.registration),
    });
    expect(registered.status, await registered.clone().text()).to.equal(201);
    const tool = toolConfiguration(publicUrl);
    lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });

    const landed = await lms.launch(browserTrusting(tls), {
      user: { sub: 'production-learner', name: 'Ada Lovelace' },
      roles: [ROLE_LEARNER],
      context: { id: 'production-course', title: 'Production course' },
      resourceLink: { id: 'production-link', title: 'Production link' },
    });
    expect(landed.status, `${landed.url}\n${landed.body.slice(0, 500)}\n${child.output().stderr}`).to.equal(200);
    expect(new URL(landed.url).origin).to.equal(publicUrl);
    expect(new URL(landed.url).pathname).to.equal('/app');
    expect(landed.body).to.contain('Ada Lovelace');
  });

  it('when npm run start:prod runs in the deployed folder, then it serves', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const sqlite = `sqlite:${path.join(work.dir, 'start-prod.sqlite')}`;
    const npm = spawn('npm', ['run', '--silent', 'start:prod'], {
      cwd: path.join(work.dir, 'app'),
      env: { PATH: process.env.PATH ?? '', ...productionEnv(url, sqlite, tls), HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: npm, its shell and examgate stop together.
      detached: true,
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
    stops.push(async () => {
      if (npm.exitCode === null && npm.signalCode === null && npm.pid !== undefined) {
        process.kill(-npm.pid, 'SIGTERM');
        await exited;
      }
    });
    const deadline = Date.now() + 60_000;
    let health: Response | null = null;
    while (!health?.ok && Date.now() < deadline && npm.exitCode === null) {
      health = await fetch(`${url}/healthz`).catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(health?.status, output).to.equal(200);
    expect(output).to.contain(`examgate is running at ${url}`);
  });

  it('when src/main.ts is started through tsx with NODE_ENV=production, then it stops and says to run the compiled build', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: path.resolve(import.meta.dirname, '..', '..'),
      env: { PATH: process.env.PATH ?? '', ...productionEnv('https://examgate.example.edu', 'sqlite::memory:', tls) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.contain('In production examgate runs its compiled build');
  });
});
