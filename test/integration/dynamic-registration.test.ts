import { expect } from 'chai';
import { ROLE_INSTRUCTOR, SimulatedLms } from '../../src/lms-sim/index.js';
import { CLAIM_TOOL_CONFIGURATION } from '../../src/lms-sim/registration.js';
import { MAX_REGISTRATION_ATTEMPTS } from '../../src/platforms/registration-token.service.js';
import { QueryTypes } from 'sequelize';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { frameAncestorsOf, openRegistration, platformsOf, removePlatformsOf, serve } from '../support/registration.js';

describe('LTI Dynamic Registration through the simulated LMS, with registration URLs', () => {
  let world: TestWorld;
  let lms: SimulatedLms;
  before(async () => {
    world = await startWorld();
    lms = await SimulatedLms.start({ clientId: 'dynamic-client', deploymentId: 'dynamic-deployment' });
  });
  beforeEach(() => resetLaunchState(world));
  afterEach(() => removePlatformsOf(world, lms.issuer));
  after(() => lms.close());

  const newRegistrationUrl = async () => (await world.examgate.registrationUrls.create()).url;
  const instructorLaunch = () => lms.launch(newBrowser(), { user: { sub: 'dyn-teacher', name: 'Dyn Teacher' }, roles: [ROLE_INSTRUCTOR] });
  const lmsOrigin = () => new URL(lms.issuer).origin;

  it('when an LMS registers with a registration URL, then examgate records it pending: held launches, no framing, until an admin approves it', async () => {
    const url = await newRegistrationUrl();
    expect(url).to.match(new RegExp(`^${world.url}/lti/register/[A-Za-z0-9_-]{43}$`));
    const page = await openRegistration(lms.registrationInitiationUrl(url));
    expect(page.status, page.body).to.equal(200);
    expect(page.body).to.contain('examgate is registered with your LMS').and.contain('must approve this LMS');
    // The close message must run under examgate's CSP: its nonce is the response's.
    const nonce = /<script nonce="([^"]+)">/.exec(page.body)?.[1];
    expect(nonce, 'script nonce').to.be.a('string');
    expect(page.csp).to.contain(`'nonce-${nonce}'`);
    expect(page.body).to.contain('org.imsglobal.lti.close');

    expect(lms.registrations).to.have.length(1);
    const sent = lms.registrations[0]!.request;
    expect(sent.initiate_login_uri).to.equal(`${world.url}/lti/login`);
    // Once: Moodle lists every entry as a Redirection URI (ltijs's own exchange sent its launch route twice).
    expect(sent.redirect_uris).to.deep.equal([`${world.url}/lti/launch`]);
    expect(sent.jwks_uri).to.equal(`${world.url}/lti/keys`);
    const toolConfiguration = sent[CLAIM_TOOL_CONFIGURATION] as {
      target_link_uri: string;
      domain: string;
      messages: Array<{ type: string; placements?: string[] }>;
    };
    expect(toolConfiguration.target_link_uri).to.equal(`${world.url}/lti/launch`);
    expect(toolConfiguration.domain).to.equal(new URL(world.url).host);
    expect(toolConfiguration.messages.map((m) => m.type)).to.include('LtiDeepLinkingRequest');
    // Placed where a teacher adds content (Canvas's placement names; LMSs without placements ignore them).
    expect(toolConfiguration.messages.find((m) => m.type === 'LtiDeepLinkingRequest')?.placements).to.deep.equal([
      'assignment_selection',
      'link_selection',
    ]);

    const [platform, ...others] = await platformsOf(world, lms.issuer);
    expect(others).to.have.length(0);
    expect(platform).to.include({ clientId: 'dynamic-client', preset: 'dynamic', status: 'pending' });
    expect(platform).to.include({ authUrl: lms.authUrl, tokenUrl: lms.tokenUrl, jwksUrl: lms.jwksUrl });
    expect(platform!.deployments.map((d) => d.deploymentId)).to.deep.equal(['dynamic-deployment']);
    const [used] = await world.examgate.registrationUrls.list();
    expect(used).to.include({ status: 'used', usedByPlatformName: platform!.name });

    expect(await frameAncestorsOf(world.url), 'pending: not a frame ancestor').not.to.include(lmsOrigin());
    const held = await instructorLaunch();
    expect(held.status, held.body).to.equal(403);
    expect(held.body).to.contain('waits for an administrator to approve it');
    // Only the held page itself may show inside the pending LMS: a message, nothing to click.
    expect(held.headers.get('content-security-policy')).to.match(new RegExp(`frame-ancestors [^;]*${lmsOrigin()}`));

    const audited = await world.examgate.sequelize.query<{ action: string; actor_kind: string; via: string }>(
      'SELECT action, actor_kind, via FROM audit_entries WHERE entity_id = :id ORDER BY seq',
      { replacements: { id: platform!.id }, type: QueryTypes.SELECT },
    );
    expect(audited, 'the registration is in the audit trail').to.deep.equal([
      { action: 'register', actor_kind: 'system', via: 'dynamic-registration' },
    ]);

    await world.examgate.platforms.approvePlatform(platform!.id, TEST_SETUP);
    expect(await frameAncestorsOf(world.url), 'approved: a frame ancestor').to.include(lmsOrigin());
    const admitted = await instructorLaunch();
    expect(admitted.status, admitted.body).to.equal(200);
    expect(admitted.url.startsWith(`${world.url}/app`), admitted.url).to.equal(true);
  });

  it('when /lti/register is reached with another method than GET, then ltijs’s own exchange never runs: nothing is sent to the LMS', async () => {
    const url = await newRegistrationUrl();
    const before = lms.registrations.length;
    for (const method of ['POST', 'PUT']) {
      for (const target of [`${world.url}/lti/register`, url]) {
        const response = await fetch(lms.registrationInitiationUrl(target), { method, headers: { accept: 'text/html' } });
        expect(response.status, `${method} ${target}`).to.equal(404);
        await response.body?.cancel();
      }
    }
    expect(lms.registrations).to.have.length(before);
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  it('when a registration URL is used a second time, then it is refused with a clear page and the LMS is not contacted', async () => {
    const url = await newRegistrationUrl();
    expect((await openRegistration(lms.registrationInitiationUrl(url))).status).to.equal(200);
    await removePlatformsOf(world, lms.issuer);
    const before = lms.registrations.length;
    const again = await openRegistration(lms.registrationInitiationUrl(url));
    expect(again.status).to.equal(403);
    expect(again.body).to.contain('has already been used to register an LMS');
    expect(lms.registrations).to.have.length(before);
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  const refusals: Array<[string, (url: string, world: TestWorld) => Promise<string>, string]> = [
    ['carries no token', async (_url, w) => `${w.url}/lti/register`, 'carries no registration token'],
    ['carries an unknown token', async (url) => url.replace(/[^/]{6}$/, 'AAAAAA'), 'is not one examgate issued'],
    [
      'has expired',
      async (url, w) => {
        await w.examgate.sequelize.query('UPDATE registration_tokens SET expires_at = :past', {
          replacements: { past: new Date(Date.now() - 1000) },
        });
        return url;
      },
      'has expired',
    ],
    [
      'was revoked',
      async (url, w) => {
        const [open] = await w.examgate.registrationUrls.list();
        await w.examgate.registrationUrls.revoke(open!.id);
        return url;
      },
      'was revoked by an examgate administrator',
    ],
  ];
  for (const [what, prepare, message] of refusals) {
    it(`when the registration URL ${what}, then a 403 page says so, nothing is fetched and nothing is recorded`, async () => {
      const counting = await serve((_req, res) => res.writeHead(500).end());
      try {
        const url = await prepare(await newRegistrationUrl(), world);
        const page = await openRegistration(`${url}?openid_configuration=${encodeURIComponent(counting.url)}`);
        expect(page.status).to.equal(403);
        expect(page.body).to.contain(message);
        expect(counting.requests(), 'requests examgate made').to.equal(0);
      } finally {
        await counting.close();
      }
      expect(await platformsOf(world, lms.issuer)).to.have.length(0);
    });
  }

  it('when the LMS refuses the registration, then the page names that step without its reasons, and the URL can be tried again', async () => {
    const url = await newRegistrationUrl();
    const before = lms.registrations.length;
    const page = await openRegistration(lms.registrationInitiationUrl(url, null));
    expect(page.status).to.equal(502);
    expect(page.body).to.contain('Your LMS refused the registration');
    expect(page.body).not.to.contain('401').and.not.to.contain('registration token is missing').and.not.to.contain(lms.baseUrl);
    expect(lms.registrations).to.have.length(before);
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);

    const retried = await openRegistration(lms.registrationInitiationUrl(url));
    expect(retried.status, retried.body).to.equal(200);
    expect(await platformsOf(world, lms.issuer)).to.have.length(1);
  });

  it(`when a registration URL fails ${MAX_REGISTRATION_ATTEMPTS} times, then it is spent and refuses even a good registration`, async () => {
    const url = await newRegistrationUrl();
    for (let i = 0; i < MAX_REGISTRATION_ATTEMPTS; i++) {
      expect((await openRegistration(lms.registrationInitiationUrl(url, null))).status).to.equal(502);
    }
    const page = await openRegistration(lms.registrationInitiationUrl(url));
    expect(page.status).to.equal(403);
    expect(page.body).to.contain('failed too many times');
    expect(await platformsOf(world, lms.issuer)).to.have.length(0);
  });

  it('when a second registration arrives with a URL while the first is under way, then it is refused and one platform results', async () => {
    const configuration = await (await fetch(lms.openidConfigurationUrl)).text();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slowLms = await serve((_req, res) => {
      void released.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end(configuration));
    });
    try {
      const url = `${await newRegistrationUrl()}?openid_configuration=${encodeURIComponent(slowLms.url)}`;
      const first = openRegistration(`${url}&registration_token=${lms.issueRegistrationToken()}`);
      while (slowLms.requests() === 0) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const second = await openRegistration(`${url}&registration_token=${lms.issueRegistrationToken()}`);
      expect(second.status).to.equal(403);
      expect(second.body).to.contain('A registration with this URL is already under way');
      release();
      expect((await first).status).to.equal(200);
    } finally {
      release();
      await slowLms.close();
    }
    expect(slowLms.requests(), 'only the first reached the LMS').to.equal(1);
    expect(await platformsOf(world, lms.issuer)).to.have.length(1);
  });

  it('when the same LMS registers examgate a second time, then it is told the platform is already registered', async () => {
    expect((await openRegistration(lms.registrationInitiationUrl(await newRegistrationUrl()))).status).to.equal(200);
    const again = await openRegistration(lms.registrationInitiationUrl(await newRegistrationUrl()));
    expect(again.status).to.equal(409);
    expect(again.body).to.contain('is already registered');
    expect(await platformsOf(world, lms.issuer)).to.have.length(1);
  });

  it('when the registration URL is opened without openid_configuration, then a 400 page says where to open it from', async () => {
    const page = await openRegistration(await newRegistrationUrl());
    expect(page.status).to.equal(400);
    expect(page.body).to.contain('it needs the openid_configuration parameter');
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
