import { Writable } from 'node:stream';
import { expect } from 'chai';
import express from 'express';
import { pino } from 'pino';
import { ROLE_INSTRUCTOR, SimulatedLms } from '../../src/lms-sim/index.js';
import { DynamicRegistrationService } from '../../src/platforms/dynamic-registration.service.js';
import { dynamicRegistrationRoutes } from '../../src/platforms/registration.routes.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { errorHandler } from '../../src/web/error-handler.js';
import { configureViews } from '../../src/web/views.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { platformCli } from '../support/platform-cli.js';
import { openRegistration, platformsOf, removePlatformsOf, serveJson } from '../support/registration.js';

/** examgate's registration route on its own server, with the mode of a config object built here, over the world's database. */
async function registrationServer(world: TestWorld, mode: TestWorld['config']['DYNAMIC_REGISTRATION']) {
  const config = { ...world.config, DYNAMIC_REGISTRATION: mode };
  const lines: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _enc, done) => done(void lines.push(String(chunk))) }));
  const tool = toolConfiguration(world.url);
  const service = new DynamicRegistrationService(
    world.examgate.platforms,
    world.examgate.registrationUrls,
    {
      mode: config.DYNAMIC_REGISTRATION,
      autoActivate: config.DYNAMIC_REGISTRATION_AUTO_ACTIVATE,
      tool: { publicUrl: world.url, loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl },
      limits: { timeoutMs: 1000, allowHttp: true },
    },
    log,
  );
  const app = express();
  configureViews(app);
  app.use((_req, res, next) => {
    res.locals.cspNonce = 'test-nonce';
    next();
  });
  app.use('/lti/register', dynamicRegistrationRoutes(service));
  app.use(errorHandler(log));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/lti/register`;
  return { url, log: () => lines.join(''), close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('Dynamic registration: off, open, and registration URLs from the CLI', () => {
  let world: TestWorld;
  let lms: SimulatedLms;
  before(async () => {
    world = await startWorld();
    lms = await SimulatedLms.start({ clientId: 'modes-client', deploymentId: 'modes-deployment' });
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(() => removePlatformsOf(world, lms.issuer));
  after(() => lms.close());

  it('when DYNAMIC_REGISTRATION is off, then /lti/register answers 404 saying so, even with a valid registration URL', async () => {
    const server = await registrationServer(world, 'off');
    try {
      const created = await world.examgate.registrationUrls.create();
      const token = created.url.split('/').at(-1)!;
      for (const url of [server.url, `${server.url}/${token}`]) {
        const page = await openRegistration(lms.registrationInitiationUrl(url));
        expect(page.status).to.equal(404);
        expect(page.body).to.contain('Dynamic registration is turned off');
      }
    } finally {
      await server.close();
    }
    expect(lms.registrations).to.have.length(0);
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  it('when DYNAMIC_REGISTRATION is open, then the bare URL registers without a token, and the platform still waits for approval', async () => {
    const server = await registrationServer(world, 'open');
    try {
      const page = await openRegistration(lms.registrationInitiationUrl(server.url));
      expect(page.status, page.body).to.equal(200);
    } finally {
      await server.close();
    }
    const [platform] = await platformsOf(world, lms.issuer);
    expect(platform).to.include({ status: 'pending', preset: 'dynamic' });
  });

  it('when a step fails, then the details the page leaves out are in the log, without the LMS registration token', async () => {
    const configuration = (await (await fetch(lms.openidConfigurationUrl)).json()) as Record<string, unknown>;
    const oversized = await serveJson({ ...configuration, padding: 'x'.repeat(70 * 1024) });
    const server = await registrationServer(world, 'open');
    const lmsToken = lms.issueRegistrationToken();
    try {
      const page = await openRegistration(
        lms
          .registrationInitiationUrl(server.url, lmsToken)
          .replace(encodeURIComponent(lms.openidConfigurationUrl), encodeURIComponent(oversized.url)),
      );
      expect(page.status).to.equal(502);
      expect(server.log()).to.contain('"step":"openid_configuration"').and.contain('exceeds 65536');
      expect(server.log()).not.to.contain(lmsToken);
    } finally {
      await Promise.all([server.close(), oversized.close()]);
    }
  });

  it('when an admin creates a registration URL with the CLI, then the LMS registers with it and the CLI approves the platform', async function () {
    // Two CLI processes, each compiling the TypeScript sources on start.
    this.timeout(90_000);
    const created = await platformCli(world, ['registration-url', '--hours', '2']);
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.contain('shown only this once').and.contain('expires in 2 hours');
    const url = /(http:\/\/\S+\/lti\/register\/[A-Za-z0-9_-]+)/.exec(created.stdout)?.[1];
    expect(url, created.stdout).to.be.a('string');

    const page = await openRegistration(lms.registrationInitiationUrl(url!));
    expect(page.status, page.body).to.equal(200);
    const [platform] = await platformsOf(world, lms.issuer);
    expect(platform?.status).to.equal('pending');

    const approved = await platformCli(world, ['approve', '--id', platform!.id]);
    expect(approved.code, approved.stderr).to.equal(0);
    const launch = await lms.launch(newBrowser(), { user: { sub: 'cli-teacher' }, roles: [ROLE_INSTRUCTOR] });
    expect(launch.status, launch.body).to.equal(200);
  });

  it('when the CLI is asked for a registration URL with a bad --hours, then it exits 2 naming the flag', async function () {
    this.timeout(60_000);
    const refused = await platformCli(world, ['registration-url', '--hours', 'soon']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('--hours must be a whole number of hours');
  });
});
