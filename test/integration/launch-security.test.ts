import { expect } from 'chai';
import {
  CLAIM_MESSAGE_TYPE,
  CLAIM_RESOURCE_LINK,
  CLAIM_ROLES,
  CLAIM_VERSION,
  type LaunchTamper,
  type LaunchResult,
} from '../../src/lms-sim/index.js';
import { QueryTypes } from 'sequelize';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { postLaunch, startLogin } from '../support/login-steps.js';

function without(claim: string) {
  return (claims: Record<string, unknown>) => {
    const copy = { ...claims };
    delete copy[claim];
    return copy;
  };
}

function expectRefused(result: LaunchResult, status: number, message: RegExp, browserCookies: Record<string, string>) {
  expect(result.status, result.body).to.equal(status);
  expect(result.headers.get('content-type')).to.contain('text/html');
  expect(result.body).to.match(message);
  expect(browserCookies).not.to.have.property('examgate_session');
}

describe('LTI launch: bad messages are refused with a clear page', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function tampered(tamper: LaunchTamper, overrides: Record<string, unknown> = {}) {
    const browser = newBrowser();
    const result = await world.lms.launch(browser, { user: { sub: 'mallory' }, tamper, ...overrides });
    return { result, cookies: browser.cookies(new URL(world.url).host) };
  }

  const now = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, LaunchTamper, number, RegExp]> = [
    ['has no kid', { header: (h) => ({ ...h, kid: undefined }) }, 401, /does not name its signing key/],
    ['names an unknown kid', { header: (h) => ({ ...h, kid: 'no-such-key' }) }, 401, /key that is not in the LMS&#39;s published key set/],
    ['carries a wrong signature', { signWith: 'other-key' }, 401, /signature is not valid/],
    ['uses alg none', { signWith: 'none' }, 401, /algorithm other than RS256/],
    ['uses HS256', { signWith: 'HS256' }, 401, /algorithm other than RS256/],
    ['has expired', { claims: (c) => ({ ...c, iat: now() - 600, exp: now() - 300 }) }, 401, /expired/],
    [
      'expired beyond the clock skew though issued just now',
      { claims: (c) => ({ ...c, iat: now() - 5, exp: now() - 40 }) },
      401,
      /expired/,
    ],
    ['has no exp', { claims: without('exp') }, 401, /no expiry time \(exp\)/],
    ['has no iat', { claims: without('iat') }, 401, /no issue time \(iat\)/],
    [
      'carries a nonce examgate never issued',
      { claims: (c) => ({ ...c, nonce: `made-up-${Date.now()}` }) },
      401,
      /does not belong to the login/,
    ],
    ['is older than the allowed age', { claims: (c) => ({ ...c, iat: now() - 3600, exp: now() + 300 }) }, 401, /too old/],
    ['has iat in the future', { claims: (c) => ({ ...c, iat: now() + 600, exp: now() + 900 }) }, 401, /dated in the future/],
    ['names another audience', { claims: (c) => ({ ...c, aud: 'someone-else' }) }, 401, /not registered with examgate/],
    [
      'comes from an unknown issuer',
      { claims: (c) => ({ ...c, iss: 'https://evil.example' }) },
      401,
      /different LMS than the one that started the login/,
    ],
    ['has no LTI version', { claims: without(CLAIM_VERSION) }, 400, /no LTI version/],
    ['has a wrong LTI version', { claims: (c) => ({ ...c, [CLAIM_VERSION]: '1.1' }) }, 400, /not LTI 1\.3\.0/],
    ['has no message type', { claims: without(CLAIM_MESSAGE_TYPE) }, 400, /no supported LTI message type/],
    ['has no roles claim', { claims: without(CLAIM_ROLES) }, 400, /no roles claim/],
    ['has no resource link id', { claims: (c) => ({ ...c, [CLAIM_RESOURCE_LINK]: { title: 'x' } }) }, 400, /resource link id/],
    ['has no nonce', { claims: without('nonce') }, 401, /no nonce/],
  ];
  for (const [what, tamper, status, message] of cases) {
    it(`when the id_token ${what}, then it answers ${status} with an explanation and no session`, async () => {
      const { result, cookies } = await tampered(tamper);
      expectRefused(result, status, message, cookies);
    });
  }

  it('when the same id_token and state are posted twice, then the replay is refused', async () => {
    const { result } = await tampered({ replay: true });
    expect(result.status).to.equal(200);
    expect(result.replay?.status).to.equal(401);
    expect(result.replay?.body).to.contain('could not be checked safely');
    // The completed login is forgotten, so a replay cannot be turned into a fresh login either.
    expect(result.replay?.body).not.to.contain('action="/lti/login"');
  });

  it('when a nonce is replayed after ltijs would have forgotten it (10 s), then it is still refused', async () => {
    const first = await tampered({});
    expect(first.result.status).to.equal(200);
    const [used] = await world.examgate.sequelize.query<{ nonce: string }>('SELECT nonce FROM lti_nonces', { type: QueryTypes.SELECT });
    // Age the stored nonce past ltijs's 10 s window but within our token age.
    await world.examgate.sequelize.query('UPDATE lti_nonces SET expires_at = :soon', {
      replacements: { soon: new Date(Date.now() + 30_000) },
    });
    // A second login that (as if examgate had issued it twice) expects that same nonce.
    const browser = newBrowser();
    const login = await startLogin(world, browser, { user: { sub: 'mallory' }, tamper: { claims: (c) => ({ ...c, nonce: used!.nonce }) } });
    await world.examgate.sequelize.query('UPDATE login_requests SET nonce = :nonce WHERE state = :state', {
      replacements: { nonce: used!.nonce, state: login.fields.state },
    });
    const second = await postLaunch(browser, login);
    expectRefused(second, 401, /already been used/, browser.cookies(new URL(world.url).host));
  });

  it('when the browser dropped the state cookie after the LMS, then it says to open the activity again (the hint may be spent) and offers no re-post', async () => {
    const { result, cookies } = await tampered({ dropStateCookie: true });
    expectRefused(result, 401, /did not send back examgate.{1,6}s sign-in cookie.*open the activity again/s, cookies);
    expect(result.body).not.to.contain('lti_message_hint');
  });

  it('when a launch names an unknown deployment and the platform holds new ones, then it waits for approval until an admin approves it', async () => {
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    await world.examgate.platforms.setNewDeploymentPolicy(platform.id, 'hold', TEST_SETUP);
    try {
      const held = await tampered({}, { deploymentId: 'course-copy-77' });
      expectRefused(held.result, 403, /waits for an administrator to approve it/, held.cookies);
      await world.examgate.platforms.approveDeployment(platform.id, 'course-copy-77', TEST_SETUP);
      const approved = await tampered({}, { deploymentId: 'course-copy-77' });
      expect(approved.result.status).to.equal(200);
    } finally {
      await world.examgate.platforms.setNewDeploymentPolicy(platform.id, null, TEST_SETUP);
      await world.examgate.platforms.removeDeployment(platform.id, 'course-copy-77', TEST_SETUP);
    }
  });

  it('when a launch names an unknown deployment under the accept policy, then it is accepted and recorded', async () => {
    const { result } = await tampered({}, { deploymentId: 'sub-account-9' });
    expect(result.status).to.equal(200);
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    const recorded = platform.deployments.find((d) => d.deploymentId === 'sub-account-9');
    expect(recorded).to.include({ status: 'active', source: 'launch' });
    await world.examgate.platforms.removeDeployment(platform.id, 'sub-account-9', TEST_SETUP);
  });

  it('when the login initiation lacks login_hint, then it answers 400 with a page, not JSON', async () => {
    const response = await fetch(`${world.url}/lti/login?iss=${encodeURIComponent(world.lms.issuer)}&target_link_uri=x`);
    expect(response.status).to.equal(400);
    expect(await response.text()).to.contain('missing iss, login_hint or target_link_uri');
  });

  it('when the login initiation names an unregistered issuer, then it answers with a page saying so', async () => {
    const response = await fetch(`${world.url}/lti/login?iss=https://unknown.example&login_hint=a&target_link_uri=b&client_id=c`);
    expect(response.status).to.equal(401);
    expect(await response.text()).to.contain('not registered with examgate');
  });

  it('when the launch URL is opened without an id_token, then it answers 400 with a page', async () => {
    const response = await fetch(`${world.url}/lti/launch`, { method: 'POST' });
    expect(response.status).to.equal(400);
    expect(await response.text()).to.contain('only reached by a launch from your LMS');
  });
});

describe('LTI launch: state binding', () => {
  it('when the id_token is posted with a state other than the one the browser holds, then it is refused', async () => {
    const world = await startWorld();
    const browser = newBrowser();
    const { submitAutoPostForm } = await import('../../src/lms-sim/index.js');
    const authPage = await browser.follow(world.lms.loginInitiationUrl({ user: { sub: 'eve' } }));
    const form = submitAutoPostForm(authPage.body);
    expect(form, 'the LMS answered a form_post page').to.not.equal(null);
    const result = await browser.follow(form!.action, { method: 'POST', form: { ...form!.fields, state: 'forged-state' } });
    expect(result.response.status).to.equal(401);
    expect(result.body).to.contain('could not be checked safely');
    expect(browser.cookies(new URL(world.url).host)).not.to.have.property('examgate_session');
  });
});
