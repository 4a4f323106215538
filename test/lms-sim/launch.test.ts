import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import {
  Browser,
  CLAIM_AGS_ENDPOINT,
  CLAIM_CONTEXT,
  CLAIM_CUSTOM,
  CLAIM_DEPLOYMENT_ID,
  CLAIM_DL_SETTINGS,
  CLAIM_LIS,
  CLAIM_LTI11_LEGACY_USER_ID,
  CLAIM_MESSAGE_TYPE,
  CLAIM_NRPS,
  CLAIM_RESOURCE_LINK,
  CLAIM_ROLES,
  CLAIM_TARGET_LINK_URI,
  CLAIM_VERSION,
  ROLE_INSTRUCTOR,
  ROLE_LEARNER,
  SimulatedLms,
} from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';

describe('SimulatedLms launches', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-1', deploymentId: 'dep-1' });
    tool = await startFakeTool(lms);
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  const lastLaunch = (): Record<string, unknown> => {
    const claims = tool.launches.at(-1);
    if (!claims) {
      throw new Error('no verified launch');
    }
    return claims;
  };

  it('when a learner launches, then the tool gets a verifiable id_token with its own nonce and ends on its app page', async () => {
    const before = tool.launches.length;
    const result = await lms.launch(new Browser(), { user: { sub: 'u-1', name: 'Ada Lovelace', email: 'ada@example.org' } });
    expect(result.status).to.equal(200);
    expect(result.url).to.equal(`${tool.baseUrl}/app`);
    expect(result.body).to.equal('tool app');
    expect(tool.launches).to.have.length(before + 1);
    const claims = lastLaunch();
    expect(claims.nonce).to.equal(tool.sentNonces.at(-1));
    expect(claims).to.include({ iss: lms.issuer, aud: 'client-1', azp: 'client-1', sub: 'u-1', name: 'Ada Lovelace' });
    expect(claims[CLAIM_MESSAGE_TYPE]).to.equal('LtiResourceLinkRequest');
    expect(claims[CLAIM_VERSION]).to.equal('1.3.0');
    expect(claims[CLAIM_DEPLOYMENT_ID]).to.equal('dep-1');
    expect(claims[CLAIM_TARGET_LINK_URI]).to.equal(tool.endpoints.launchUrl);
    expect(claims[CLAIM_ROLES]).to.deep.equal([ROLE_LEARNER]);
    expect(claims[CLAIM_RESOURCE_LINK]).to.deep.equal({ id: 'rl-1' });
    expect(claims[CLAIM_CONTEXT]).to.include({ id: 'course-1' });
  });

  it('when the launch succeeds, then the id_token is RS256 with the kid published in the LMS JWKS', async () => {
    await lms.launch(new Browser(), { user: { sub: 'u-kid' } });
    const header = jwt.decode(tool.received.at(-1) ?? '', { complete: true })?.header;
    const jwks = (await (await fetch(lms.jwksUrl)).json()) as { keys: Array<Record<string, unknown>> };
    expect(header).to.include({ alg: 'RS256', typ: 'JWT' });
    expect(jwks.keys).to.have.length(1);
    expect(jwks.keys[0]).to.include({ kid: header?.kid, kty: 'RSA', alg: 'RS256', use: 'sig' });
  });

  it('when service claims are on by default, then NRPS and AGS URLs point at this LMS for the context', async () => {
    await lms.launch(new Browser(), { user: { sub: 'u-svc' }, context: { id: 'c 42', title: 'Chem' } });
    const claims = lastLaunch();
    expect(claims[CLAIM_NRPS]).to.deep.equal({
      context_memberships_url: `${lms.baseUrl}/nrps/c%2042/memberships`,
      service_versions: ['2.0'],
    });
    const ags = claims[CLAIM_AGS_ENDPOINT] as { lineitems: string; scope: string[] };
    expect(ags.lineitems).to.equal(`${lms.baseUrl}/ags/c%2042/lineitems`);
    expect(ags.scope).to.have.length(4);
  });

  it('when roles are empty and context, resource link and services are off, then those claims are absent or empty', async () => {
    await lms.launch(new Browser(), { user: { sub: 'u-bare' }, roles: [], context: null, resourceLink: null });
    const claims = lastLaunch();
    expect(claims[CLAIM_ROLES]).to.deep.equal([]);
    expect(claims).not.to.have.property(CLAIM_CONTEXT);
    expect(claims).not.to.have.property(CLAIM_RESOURCE_LINK);
    expect(claims).not.to.have.property(CLAIM_NRPS);
    await lms.launch(new Browser(), { user: { sub: 'u-nosvc' }, services: { nrps: false, ags: false } });
    expect(lastLaunch()).not.to.have.property(CLAIM_AGS_ENDPOINT);
  });

  it('when the user has SIS and legacy ids, custom params and a short role, then they are sent in their claims', async () => {
    await lms.launch(new Browser(), {
      user: { sub: 'u-sis', sisId: 'SIS-7', legacyUserId: 'old-7', givenName: 'Grace', familyName: 'Hopper' },
      roles: ['Instructor'],
      custom: { exam: 'final' },
    });
    const claims = lastLaunch();
    expect(claims).to.include({ given_name: 'Grace', family_name: 'Hopper' });
    expect(claims[CLAIM_LIS]).to.deep.equal({ person_sourcedid: 'SIS-7' });
    expect(claims[CLAIM_LTI11_LEGACY_USER_ID]).to.equal('old-7');
    expect(claims[CLAIM_ROLES]).to.deep.equal([ROLE_INSTRUCTOR]);
    expect(claims[CLAIM_CUSTOM]).to.deep.equal({ exam: 'final' });
  });

  it('when a deep linking request is launched, then it goes to the deep linking URL with settings and no resource link', async () => {
    const result = await lms.launch(new Browser(), { user: { sub: 'u-dl' }, messageType: 'LtiDeepLinkingRequest' });
    expect(result.status).to.equal(200);
    const claims = lastLaunch();
    expect(claims[CLAIM_MESSAGE_TYPE]).to.equal('LtiDeepLinkingRequest');
    expect(claims[CLAIM_TARGET_LINK_URI]).to.equal(tool.endpoints.deepLinkingUrl);
    expect(claims).not.to.have.property(CLAIM_RESOURCE_LINK);
    const settings = claims[CLAIM_DL_SETTINGS] as Record<string, unknown>;
    expect(settings).to.include({ deep_link_return_url: `${lms.baseUrl}/deep-link-return`, accept_multiple: false });
    expect(String(settings.data)).to.match(/^opaque-/);
  });

  it('when the same login initiation URL is used twice, then the second authentication request is refused', async () => {
    const browser = new Browser();
    const url = lms.loginInitiationUrl({ user: { sub: 'u-once' } });
    const first = await browser.follow(url);
    const second = await browser.follow(url);
    expect(first.response.status).to.equal(200);
    expect(second.response.status).to.equal(400);
    expect(second.body).to.match(/pending launch/);
  });
});
