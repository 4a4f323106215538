import { expect } from 'chai';
import { SimulatedLms } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { openRegistration, platformsOf, removePlatformsOf, serve, serveJson } from '../support/registration.js';

/** The exchange examgate performs with the LMS: http(s) only, no redirects, bounded in size and time. */
describe('Dynamic registration: the exchange with the LMS is bounded', () => {
  let world: TestWorld;
  let lms: SimulatedLms;
  let lmsConfiguration: Record<string, unknown>;
  before(async () => {
    world = await startWorld();
    lms = await SimulatedLms.start({ clientId: 'exchange-client', deploymentId: 'exchange-deployment' });
    lmsConfiguration = (await (await fetch(lms.openidConfigurationUrl)).json()) as Record<string, unknown>;
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(() => removePlatformsOf(world, lms.issuer));
  after(() => lms.close());

  /** Opens a fresh registration URL with `openidConfiguration`; returns the page and what became of the URL. */
  async function registerWith(openidConfiguration: string) {
    const created = await world.examgate.registrationUrls.create();
    const query = new URLSearchParams({ openid_configuration: openidConfiguration, registration_token: lms.issueRegistrationToken() });
    const page = await openRegistration(`${created.url}?${query}`);
    const url = (await world.examgate.registrationUrls.list()).find((u) => u.id === created.id);
    return { page, url };
  }

  function expectStepNamedWithoutDetails(page: { status: number; body: string }, step: string, hidden: string[]) {
    expect(page.status, page.body).to.equal(502);
    expect(page.body).to.contain(step);
    for (const text of hidden) {
      expect(page.body, `the page must not show ${text}`).not.to.contain(text);
    }
  }

  const readStep = 'examgate could not read your LMS&#39;s OpenID configuration';

  it('when openid_configuration redirects, then the redirect is not followed and the page names the step only', async () => {
    const redirecting = await serve((_req, res) => res.writeHead(302, { location: lms.openidConfigurationUrl }).end());
    const before = lms.registrations.length;
    try {
      const { page, url } = await registerWith(redirecting.url);
      expectStepNamedWithoutDetails(page, readStep, ['302', redirecting.base, lms.baseUrl]);
      expect(url).to.include({ status: 'open', attempts: 1 });
    } finally {
      await redirecting.close();
    }
    expect(lms.registrations, 'the LMS behind the redirect got nothing').to.have.length(before);
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  it('when registration_endpoint redirects, then examgate does not post to where it points', async () => {
    const redirecting = await serve((_req, res) => res.writeHead(307, { location: `${lms.baseUrl}/register` }).end());
    const configuration = await serveJson({ ...lmsConfiguration, registration_endpoint: `${redirecting.base}/register` });
    const before = lms.registrations.length;
    try {
      const { page } = await registerWith(configuration.url);
      expectStepNamedWithoutDetails(page, 'Your LMS refused the registration', ['307', redirecting.base]);
      expect(redirecting.requests()).to.equal(1);
    } finally {
      await Promise.all([redirecting.close(), configuration.close()]);
    }
    expect(lms.registrations).to.have.length(before);
  });

  it('when openid_configuration is larger than 64 KB, then it is not read and the page names the step only', async () => {
    const oversized = await serveJson({ ...lmsConfiguration, padding: 'x'.repeat(70 * 1024) });
    try {
      const { page } = await registerWith(oversized.url);
      expectStepNamedWithoutDetails(page, readStep, ['bytes', oversized.base]);
    } finally {
      await oversized.close();
    }
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  it('when openid_configuration streams more than 64 KB without a length, then reading stops and the step is named', async () => {
    const streaming = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`{"padding":"${'x'.repeat(40 * 1024)}`);
      res.write('x'.repeat(40 * 1024));
      res.end('"}');
    });
    try {
      expectStepNamedWithoutDetails((await registerWith(streaming.url)).page, readStep, [streaming.base]);
    } finally {
      await streaming.close();
    }
  });

  it('when openid_configuration never answers, then the time limit ends the attempt and the page names the step only', async () => {
    const silent = await serve(() => undefined);
    try {
      const { page, url } = await registerWith(silent.url);
      expectStepNamedWithoutDetails(page, readStep, ['timeout', 'Timeout', silent.base]);
      expect(url, 'a failed attempt leaves the URL usable').to.include({ status: 'open' });
    } finally {
      await silent.close();
    }
  });

  it('when openid_configuration answers 404, then the page hides the status and the URL and nothing is recorded', async () => {
    const missing = `${lms.baseUrl}/no-such-configuration`;
    const { page } = await registerWith(missing);
    expectStepNamedWithoutDetails(page, readStep, ['404', missing, 'no-such-configuration']);
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  it('when openid_configuration has no registration_endpoint, then nothing is posted to the LMS', async () => {
    const { registration_endpoint: _dropped, ...rest } = lmsConfiguration;
    const broken = await serveJson(rest);
    const before = lms.registrations.length;
    try {
      expectStepNamedWithoutDetails((await registerWith(broken.url)).page, readStep, ['registration_endpoint']);
    } finally {
      await broken.close();
    }
    expect(lms.registrations.length).to.equal(before);
  });

  it('when openid_configuration is not an http(s) URL, then nothing is fetched and the step is named', async () => {
    const { page } = await registerWith('file:///etc/passwd');
    expectStepNamedWithoutDetails(page, readStep, ['/etc/passwd']);
  });
});
