import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { ROLE_LEARNER, SimulatedLms, type LaunchRequest, type LaunchResult } from '../../src/lms-sim/index.js';
import { ExamgateLtiDatabase } from '../../src/lti/lti-database.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';

/**
 * An LMS whose signing key can change while its URLs stay the same: `signer` answers the
 * launch (and signs the id_token), `publisher` answers GET /jwks. Each is a SimulatedLms
 * with its own key, all on one server so issuer and JWKS URL never change.
 */
class RotatingLms {
  signer!: SimulatedLms;
  publisher!: SimulatedLms;
  platformId = '';
  private constructor(
    readonly server: Server,
    readonly baseUrl: string,
    readonly clientId: string,
  ) {}

  static async start(world: TestWorld, clientId: string): Promise<RotatingLms> {
    const app = express();
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const lms = new RotatingLms(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, clientId);
    app.use((req, res, next) => (req.path === '/jwks' ? lms.publisher : lms.signer).router(req, res, next));
    lms.rotate(world);
    const platform = await world.examgate.platforms.register(
      {
        issuer: lms.baseUrl,
        clientId,
        deploymentIds: ['deployment-1'],
        authUrl: lms.signer.authUrl,
        tokenUrl: lms.signer.tokenUrl,
        jwksUrl: lms.signer.jwksUrl,
      },
      TEST_SETUP,
    );
    lms.platformId = platform.id;
    return lms;
  }

  /** A new key pair that both signs and is published; returns the one it replaced (if any). */
  rotate(world: TestWorld): SimulatedLms | undefined {
    const previous = this.signer;
    const next = new SimulatedLms({ baseUrl: this.baseUrl, clientId: this.clientId, deploymentId: 'deployment-1' });
    const tool = toolConfiguration(world.url);
    next.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl });
    this.signer = next;
    this.publisher = next;
    return previous;
  }

  launch(request: Partial<LaunchRequest> = {}): Promise<LaunchResult> {
    return this.signer.launch(newBrowser(), { user: { sub: 'learner-1', name: 'Grace Hopper' }, roles: [ROLE_LEARNER], ...request });
  }

  /** GET /jwks requests that reached the LMS (all its key pairs so far). */
  jwksFetches(...instances: SimulatedLms[]): number {
    return instances.reduce((n, lms) => n + lms.requestLog.filter((r) => r.method === 'GET' && r.path === '/jwks').length, 0);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function expectLanded(result: LaunchResult, world: TestWorld): void {
  expect(result.status, result.body).to.equal(200);
  expect(result.url.startsWith(`${world.url}/app`), result.url).to.equal(true);
}

describe('LTI launch: cached platform keys and rows', () => {
  let world: TestWorld;
  const lmss: RotatingLms[] = [];
  let serial = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));
  after(async () => {
    await Promise.all(lmss.map((lms) => lms.close()));
  });

  async function rotatingLms(): Promise<RotatingLms> {
    serial += 1;
    const lms = await RotatingLms.start(world, `cache-client-${serial}`);
    lmss.push(lms);
    return lms;
  }

  it('when the LMS rotates its signing key, then the next launch is accepted with the new key and the withdrawn key is refused', async () => {
    const lms = await rotatingLms();
    expectLanded(await lms.launch(), world);

    const old = lms.rotate(world)!;
    expectLanded(await lms.launch(), world);
    expect(lms.jwksFetches(lms.publisher), 'the new set was fetched once, for the unknown kid').to.equal(1);

    lms.signer = old; // still signs with the key it no longer publishes
    const refused = await lms.launch();
    expect(refused.status).to.equal(401);
    expect(refused.body).to.match(/key that is not in the LMS&#39;s published key set/);
  });

  it('when launches name kids the LMS never published, then each is refused and the key set is fetched once, not per launch', async () => {
    const lms = await rotatingLms();
    const before = lms.jwksFetches(lms.publisher);
    for (const kid of ['made-up-1', 'made-up-2', 'made-up-3']) {
      const result = await lms.launch({ tamper: { header: (h) => ({ ...h, kid }) } });
      expect(result.status, kid).to.equal(401);
      expect(result.body).to.match(/key that is not in the LMS&#39;s published key set/);
    }
    expect(lms.jwksFetches(lms.publisher) - before).to.equal(1);

    expectLanded(await lms.launch(), world);
    expect(lms.jwksFetches(lms.publisher) - before, 'the real kid was in the set already fetched').to.equal(1);
  });

  it('when a cached key signs a token whose signature is wrong, then the launch is refused', async () => {
    const lms = await rotatingLms();
    expectLanded(await lms.launch(), world);
    const result = await lms.launch({ tamper: { signWith: 'other-key' } });
    expect(result.status).to.equal(401);
    expect(result.body).to.match(/signature is not valid/);
  });

  it('when examgate removes a platform, then launches from it are refused at once although its row and keys were cached', async () => {
    const lms = await rotatingLms();
    expectLanded(await lms.launch(), world);
    await world.examgate.platforms.remove(lms.platformId, TEST_SETUP);
    const result = await lms.launch();
    expect(result.status).to.equal(401);
    expect(result.body).to.match(/not registered with examgate/);
  });

  it("when another examgate process removes a platform, then this process's cached copy lets no launch through", async () => {
    const lms = await rotatingLms();
    expectLanded(await lms.launch(), world);
    // What the other process's removal leaves in the shared database; this process's caches are untouched.
    const db = world.examgate.sequelize;
    await db.query('DELETE FROM lms_platforms WHERE id = :id', { replacements: { id: lms.platformId } });
    await db.query('DELETE FROM platforms WHERE "platformUrl" = :issuer AND "clientId" = :clientId', {
      replacements: { issuer: lms.baseUrl, clientId: lms.clientId },
    });
    const result = await lms.launch();
    expect(result.status).to.equal(401);
    expect(result.body).to.match(/not registered with examgate/);
    expect(result.headers.get('set-cookie') ?? '').not.to.contain('examgate_session');
  });

  it('when the target link URI carries query parameters, then the launch lands and ltijs stores no login state for them', async () => {
    const result = await world.lms.launch(newBrowser(), {
      user: { sub: 'learner-q', name: 'Ada' },
      roles: [ROLE_LEARNER],
      targetLinkUri: `${world.url}/lti/launch?from=course-menu`,
    });
    expectLanded(result, world);
    const [rows] = await world.examgate.sequelize.query('SELECT COUNT(*) AS n FROM states');
    expect(Number((rows[0] as { n: unknown }).n)).to.equal(0);
  });

  it('when ltijs asks its storage for launch records nobody reads, then nothing is written and nothing found', async () => {
    const storage = new ExamgateLtiDatabase(parseDatabaseUrl(world.config.DATABASE_URL));
    await storage.setup();
    try {
      for (const table of ['idtoken', 'contexttoken', 'state']) {
        expect(await storage.Replace(false, table, { user: 'u' }, { user: 'u', state: 's' }), table).to.equal(true);
        expect(await storage.Insert(false, table, { user: 'u', state: 's' }), table).to.equal(true);
        expect(await storage.Get(false, table, { user: 'u' }), table).to.equal(false);
      }
      const [rows] = await world.examgate.sequelize.query(
        'SELECT (SELECT COUNT(*) FROM idtokens) + (SELECT COUNT(*) FROM contexttokens) + (SELECT COUNT(*) FROM states) AS n',
      );
      expect(Number((rows[0] as { n: unknown }).n)).to.equal(0);
    } finally {
      await storage.Close();
    }
  });
});
