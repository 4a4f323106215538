import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ROLE_INSTRUCTOR, SimulatedLms } from '../../src/lms-sim/index.js';
import { CLAIM_TOOL_CONFIGURATION } from '../../src/lms-sim/registration.js';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';

async function platformsOf(world: TestWorld, lms: SimulatedLms) {
  return (await world.examgate.platforms.list()).filter((p) => p.issuer === lms.issuer);
}

async function removePlatformsOf(world: TestWorld, lms: SimulatedLms): Promise<void> {
  for (const platform of await platformsOf(world, lms)) {
    await world.examgate.platforms.remove(platform.id, TEST_SETUP);
  }
}

/** What the LMS admin's browser does: open examgate's registration URL with the LMS's parameters. */
async function openRegistration(url: string): Promise<{ status: number; body: string; csp: string }> {
  const response = await fetch(url, { headers: { accept: 'text/html' } });
  return { status: response.status, body: await response.text(), csp: response.headers.get('content-security-policy') ?? '' };
}

/** An "LMS" whose OpenID configuration is served as given, to stand for a broken one. */
async function serveJson(body: unknown): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/openid-configuration`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('LTI Dynamic Registration through the simulated LMS', () => {
  let world: TestWorld;
  let lms: SimulatedLms;
  before(async () => {
    world = await startWorld();
    lms = await SimulatedLms.start({ clientId: 'dynamic-client', deploymentId: 'dynamic-deployment' });
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(() => removePlatformsOf(world, lms));
  after(() => lms.close());

  const registerUrl = () => `${world.url}/lti/register`;
  const instructorLaunch = () => lms.launch(newBrowser(), { user: { sub: 'dyn-teacher', name: 'Dyn Teacher' }, roles: [ROLE_INSTRUCTOR] });

  it("when an LMS registers examgate, then the LMS holds examgate's URLs, examgate records the platform, and launches wait for approval", async () => {
    const page = await openRegistration(lms.registrationInitiationUrl(registerUrl()));
    expect(page.status, page.body).to.equal(200);
    expect(page.body).to.contain('examgate is registered with your LMS');
    // The close message must run under examgate's CSP: its nonce is the response's.
    const nonce = /<script nonce="([^"]+)">/.exec(page.body)?.[1];
    expect(nonce, 'script nonce').to.be.a('string');
    expect(page.csp).to.contain(`'nonce-${nonce}'`);
    expect(page.body).to.contain('org.imsglobal.lti.close');

    expect(lms.registrations).to.have.length(1);
    const sent = lms.registrations[0]!.request;
    expect(sent.initiate_login_uri).to.equal(`${world.url}/lti/login`);
    expect(sent.redirect_uris).to.include(`${world.url}/lti/launch`);
    expect(sent.jwks_uri).to.equal(`${world.url}/lti/keys`);
    const toolConfiguration = sent[CLAIM_TOOL_CONFIGURATION] as {
      target_link_uri: string;
      domain: string;
      messages: Array<{ type: string }>;
    };
    expect(toolConfiguration.target_link_uri).to.equal(`${world.url}/lti/launch`);
    expect(toolConfiguration.domain).to.equal(new URL(world.url).host);
    expect(toolConfiguration.messages.map((m) => m.type)).to.include('LtiDeepLinkingRequest');

    const [platform, ...others] = await platformsOf(world, lms);
    expect(others).to.have.length(0);
    expect(platform).to.include({ clientId: 'dynamic-client', preset: 'dynamic', newDeploymentPolicy: 'hold' });
    expect(platform).to.include({ authUrl: lms.authUrl, tokenUrl: lms.tokenUrl, jwksUrl: lms.jwksUrl });

    const held = await instructorLaunch();
    expect(held.status, held.body).to.equal(403);
    expect(held.body).to.contain('waits for an administrator to approve it');
    const pending = await world.examgate.platforms.get(platform!.id);
    expect(pending.deployments.map((d) => [d.deploymentId, d.status])).to.deep.equal([['dynamic-deployment', 'pending']]);

    await world.examgate.platforms.approveDeployment(platform!.id, 'dynamic-deployment', TEST_SETUP);
    const admitted = await instructorLaunch();
    // Admitted: examgate started a session and opened its pages (which page depends on the role).
    expect(admitted.status, admitted.body).to.equal(200);
    expect(admitted.url.startsWith(`${world.url}/app`), admitted.url).to.equal(true);
    expect(admitted.body).not.to.contain('could not be accepted');
  });

  it('when the same LMS registers examgate a second time, then it is told examgate is already registered', async () => {
    expect((await openRegistration(lms.registrationInitiationUrl(registerUrl()))).status).to.equal(200);
    const again = await openRegistration(lms.registrationInitiationUrl(registerUrl()));
    expect(again.status).to.equal(409);
    expect(again.body).to.contain('examgate is already registered with this LMS');
    expect(await platformsOf(world, lms)).to.have.length(1);
  });

  it('when the registration URL is opened without openid_configuration, then a 400 page says where to open it from', async () => {
    const page = await openRegistration(registerUrl());
    expect(page.status).to.equal(400);
    expect(page.body).to.contain('Registration failed');
    expect(page.body).to.contain('it needs the openid_configuration parameter');
  });

  it('when openid_configuration answers 404, then a 400 page names the URL and the status and nothing is recorded', async () => {
    const missing = `${lms.baseUrl}/no-such-configuration`;
    const page = await openRegistration(`${registerUrl()}?openid_configuration=${encodeURIComponent(missing)}`);
    expect(page.status).to.equal(400);
    expect(page.body).to.contain(`openid_configuration ${missing} answered HTTP 404`);
    expect(await platformsOf(world, lms)).to.have.length(0);
  });

  it('when openid_configuration has no registration_endpoint, then a 400 page names the missing field', async () => {
    const { registration_endpoint: _dropped, ...rest } = (await (await fetch(lms.openidConfigurationUrl)).json()) as Record<
      string,
      unknown
    >;
    const broken = await serveJson(rest);
    const before = lms.registrations.length;
    try {
      const page = await openRegistration(`${registerUrl()}?openid_configuration=${encodeURIComponent(broken.url)}`);
      expect(page.status).to.equal(400);
      expect(page.body).to.contain('has no registration_endpoint');
      expect(lms.registrations.length, 'nothing was posted to the LMS').to.equal(before);
    } finally {
      await broken.close();
    }
  });

  it('when openid_configuration is not an http(s) URL, then it is refused before anything is fetched', async () => {
    const page = await openRegistration(`${registerUrl()}?openid_configuration=${encodeURIComponent('file:///etc/passwd')}`);
    expect(page.status).to.equal(400);
    expect(page.body).to.contain('openid_configuration must be an http(s) URL');
  });

  it("when the LMS refuses the registration (no registration token), then the page gives the LMS's reason and nothing is recorded", async () => {
    const before = lms.registrations.length;
    const page = await openRegistration(lms.registrationInitiationUrl(registerUrl(), null));
    expect(page.status).to.equal(400);
    expect(page.body).to.contain('The LMS refused the registration (HTTP 401: the registration token is missing)');
    expect(lms.registrations).to.have.length(before);
    expect(await platformsOf(world, lms)).to.have.length(0);
  });
});

describe('simulated LMS: dynamic registration endpoint', () => {
  let lms: SimulatedLms;
  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'sim-dr-client', deploymentId: 'sim-dr-deployment' });
  });
  after(() => lms.close());

  const tool = 'http://tool.example:8080';
  function validRegistration(): Record<string, unknown> {
    return {
      application_type: 'web',
      response_types: ['id_token'],
      grant_types: ['implicit', 'client_credentials'],
      initiate_login_uri: `${tool}/login`,
      redirect_uris: [`${tool}/launch`],
      client_name: 'A tool',
      jwks_uri: `${tool}/keys`,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly urn:unknown:scope',
      [CLAIM_TOOL_CONFIGURATION]: {
        domain: 'tool.example:8080',
        target_link_uri: `${tool}/launch`,
        messages: [{ type: 'LtiDeepLinkingRequest', target_link_uri: `${tool}/deep-link` }],
      },
    };
  }
  async function post(body: unknown, token: string | null = lms.issueRegistrationToken()) {
    const response = await fetch(`${lms.baseUrl}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('when a tool reads the OpenID configuration, then every field LTI Dynamic Registration requires is there', async () => {
    const configuration = (await (await fetch(lms.openidConfigurationUrl)).json()) as Record<string, unknown>;
    expect(configuration).to.include({
      issuer: lms.issuer,
      authorization_endpoint: lms.authUrl,
      token_endpoint: lms.tokenUrl,
      jwks_uri: lms.jwksUrl,
      registration_endpoint: `${lms.baseUrl}/register`,
    });
    for (const field of ['scopes_supported', 'response_types_supported', 'id_token_signing_alg_values_supported', 'claims_supported']) {
      expect(configuration[field], field).to.be.an('array').and.not.have.length(0);
    }
    expect(configuration['https://purl.imsglobal.org/spec/lti-platform-configuration']).to.have.keys(
      'product_family_code',
      'version',
      'messages_supported',
      'variables',
    );
  });

  it('when a valid registration arrives with a token, then it answers the client id, the deployment id and only the scopes it grants', async () => {
    const answer = await post(validRegistration());
    expect(answer.status).to.equal(200);
    expect(answer.body.client_id).to.equal('sim-dr-client');
    expect(answer.body.scope).to.equal('https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly');
    expect(answer.body[CLAIM_TOOL_CONFIGURATION]).to.include({ deployment_id: 'sim-dr-deployment', target_link_uri: `${tool}/launch` });
    expect(lms.registrations.at(-1)?.request.client_name).to.equal('A tool');
  });

  it('when the token is missing or already used, then it answers 401 invalid_token', async () => {
    expect((await post(validRegistration(), null)).body.error).to.equal('invalid_token');
    const token = lms.issueRegistrationToken();
    expect((await post(validRegistration(), token)).status).to.equal(200);
    const reused = await post(validRegistration(), token);
    expect(reused.status).to.equal(401);
    expect(reused.body.error_description).to.contain('unknown, used or expired');
  });

  const invalid: Array<[string, (r: Record<string, unknown>) => void, string, string]> = [
    ['has no initiate_login_uri', (r) => delete r.initiate_login_uri, 'invalid_client_metadata', 'initiate_login_uri must be an absolute'],
    ['has no redirect_uris', (r) => (r.redirect_uris = []), 'invalid_redirect_uri', 'redirect_uris must list'],
    ['redirects outside its domain', (r) => (r.redirect_uris = ['https://evil.example/launch']), 'invalid_redirect_uri', 'outside'],
    [
      'asks for another auth method',
      (r) => (r.token_endpoint_auth_method = 'client_secret_basic'),
      'invalid_client_metadata',
      'private_key_jwt',
    ],
    [
      'lacks the implicit grant',
      (r) => (r.grant_types = ['client_credentials']),
      'invalid_client_metadata',
      'grant_types must include implicit',
    ],
    ['has no LTI tool configuration', (r) => delete r[CLAIM_TOOL_CONFIGURATION], 'invalid_client_metadata', CLAIM_TOOL_CONFIGURATION],
  ];
  for (const [what, tamper, code, text] of invalid) {
    it(`when a registration ${what}, then it answers 400 ${code} saying why`, async () => {
      const registration = validRegistration();
      tamper(registration);
      const answer = await post(registration);
      expect(answer.status).to.equal(400);
      expect(answer.body.error).to.equal(code);
      expect(answer.body.error_description).to.contain(text);
    });
  }
});
