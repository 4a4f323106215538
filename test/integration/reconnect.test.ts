import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { expect } from 'chai';
import { Browser, ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { startLms, startWorld, TEST_SETUP } from '../support/examgate-under-test.js';
import { buildExamForm, csrfOf } from '../support/course-session.js';

/** A TCP relay in front of the database that can be cut (every socket dropped, no new ones accepted) and restored. */
class TcpProxy {
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  port = 0;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.restore();
    return proxy;
  }

  /** Listens again (on the same port after a cut). */
  async restore(): Promise<void> {
    const server = createServer((client) => this.#relay(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  /** What a database crash or a network partition looks like to examgate: every connection gone, new ones refused. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.#sockets) {
      socket.destroy();
    }
    await closed;
  }

  #relay(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.#sockets.add(socket);
      socket.on('error', () => other.destroy());
      socket.on('close', () => {
        this.#sockets.delete(socket);
        other.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

async function readiness(url: string): Promise<number> {
  return fetch(`${url}/readyz`, { signal: AbortSignal.timeout(20_000) }).then(
    (r) => r.status,
    () => 0,
  );
}

/** Polls /readyz until it answers `status`; returns how long that took. */
async function waitForReadiness(url: string, status: number, withinMs: number): Promise<number> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started < withinMs) {
    last = await readiness(url);
    if (last === status) {
      return Date.now() - started;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`/readyz answered ${last}, not ${status}, for ${withinMs} ms`);
}

const databaseUrl = process.env.TEST_DATABASE_URL ?? '';

describe('database connection lost and regained (a real examgate process)', function () {
  this.timeout(90_000);
  let child: ChildExamgate | null = null;
  let proxy: TcpProxy | null = null;
  let work: ReturnType<typeof tempDir>;
  before(() => {
    work = tempDir('examgate-reconnect-');
  });
  afterEach(async () => {
    await child?.stop();
    child = null;
    await proxy?.cut();
    proxy = null;
  });
  after(() => work.remove());

  /** A child examgate whose PostgreSQL connection runs through a TCP proxy the test can cut. */
  async function startBehindProxy(): Promise<{ child: ChildExamgate; proxy: TcpProxy }> {
    const target = new URL(databaseUrl);
    const started = await TcpProxy.start(target.hostname, Number(target.port || 5432));
    proxy = started;
    const throughProxy = new URL(databaseUrl);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(started.port);
    child = await startChildExamgate({ cwd: work.dir, env: { NODE_ENV: 'test', DATABASE_URL: throughProxy.toString() } });
    return { child, proxy: started };
  }

  if (databaseUrl.startsWith('postgres')) {
    it('when the connection to PostgreSQL is cut, then /readyz answers 503 and the process lives; when it is back, then /readyz is 200 again within seconds', async () => {
      const { child, proxy } = await startBehindProxy();
      expect(await readiness(child.url)).to.equal(200);

      await proxy.cut();
      await waitForReadiness(child.url, 503, 15_000);
      const body = (await (await fetch(`${child.url}/readyz`)).json()) as { status: string };
      expect(body.status).to.equal('database unavailable');
      expect(child.alive(), 'examgate survives losing its database').to.equal(true);
      expect((await fetch(`${child.url}/healthz`)).status).to.equal(200);

      await proxy.restore();
      const tookMs = await waitForReadiness(child.url, 200, 10_000);
      expect(tookMs).to.be.below(10_000);
      expect(child.alive()).to.equal(true);
    });

    it('when PostgreSQL is out of reach, then a launch, a page and an API answer 503 saying so; when it is back, then launches work again and earlier data is still there', async () => {
      const world = await startWorld();
      const { child, proxy } = await startBehindProxy();
      const lms = await startLms(`outage-${Date.now()}`, 'outage-deployment', child.url);
      try {
        await world.examgate.platforms.register(lms.registration, TEST_SETUP);
        const launchInstructor = async (browser = new Browser()) => ({
          browser,
          landing: await lms.launch(browser, { user: { sub: 'teacher-1' }, roles: [ROLE_INSTRUCTOR], context: { id: 'outage-course' } }),
        });

        // Before the outage: a launch, and a test written through the pages.
        const { browser, landing } = await launchInstructor();
        expect(landing.status, landing.body).to.equal(200);
        const form = await browser.follow(`${child.url}/app/exams/new`);
        const created = await browser.follow(`${child.url}/app/exams`, {
          method: 'POST',
          form: { _csrf: csrfOf(form.body), ...buildExamForm({ title: 'Written before the outage' }) },
        });
        const examPath = new URL(created.url).pathname;
        expect(examPath).to.match(/^\/app\/exams\/[0-9a-f-]{36}$/);

        await proxy.cut();
        await waitForReadiness(child.url, 503, 15_000);
        const refused = await launchInstructor();
        expect(refused.landing.status, refused.landing.body).to.equal(503);
        expect(refused.landing.body).to.contain('examgate is temporarily unavailable');
        expect(refused.landing.body).not.to.contain('could not be validated');
        const page = await browser.follow(`${child.url}${examPath}`);
        expect(page.response.status).to.equal(503);
        expect(page.response.headers.get('retry-after')).to.equal('30');
        expect(page.body).to.contain('examgate is temporarily unavailable');
        const api = await fetch(`${child.url}/admin/api/platforms`, { headers: { authorization: `Bearer ${world.adminToken}` } });
        expect(api.status).to.equal(503);
        expect(api.headers.get('retry-after')).to.equal('30');
        expect(((await api.json()) as { error: { code: string } }).error.code).to.equal('database_unavailable');

        await proxy.restore();
        const restoredAt = Date.now();
        let again = await launchInstructor();
        while (again.landing.status !== 200 && Date.now() - restoredAt < 20_000) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          again = await launchInstructor();
        }
        const recoveryMs = Date.now() - restoredAt;
        expect(again.landing.status, again.landing.body).to.equal(200);
        console.log(`      recovery: a launch succeeded ${recoveryMs} ms after PostgreSQL was reachable again`);
        const kept = await again.browser.follow(`${child.url}${examPath}`);
        expect(kept.response.status).to.equal(200);
        expect(kept.body).to.contain('Written before the outage');
        expect(child.alive()).to.equal(true);
      } finally {
        await lms.close();
      }
    });
  } else {
    // A SQLite database is a file the process opened itself: there is no server and no network
    // connection that can drop, and an open file stays readable even when deleted or chmod-ed
    // (and root ignores permissions), so there is no honest way to lose it here. Readiness is
    // checked on a real process; the connection-loss case runs with TEST_DATABASE_URL=postgres://…
    it('when the database is a SQLite file, then a freshly started process is ready (a file has no connection to lose)', async () => {
      child = await startChildExamgate({ cwd: work.dir, env: { NODE_ENV: 'test', DATABASE_URL: `sqlite:${work.dir}/examgate.sqlite` } });
      expect(await readiness(child.url)).to.equal(200);
      expect(await (await fetch(`${child.url}/readyz`)).json()).to.deep.equal({ status: 'ready' });
    });
  }
});
