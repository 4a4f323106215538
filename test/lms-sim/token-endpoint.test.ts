import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SCOPE_AGS_SCORE, SCOPE_NRPS, SimulatedLms } from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';
import { JWT_BEARER, requestToken } from './services-helpers.js';

describe('SimulatedLms token endpoint', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-tok', deploymentId: 'dep' });
    tool = await startFakeTool(lms);
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  const post = (form: Record<string, string>): Promise<Response> =>
    fetch(lms.tokenUrl, { method: 'POST', body: new URLSearchParams(form) });

  it('when the tool sends an assertion signed with its JWKS key, then it gets a bearer token for the supported scopes', async () => {
    const response = await requestToken(lms, tool, `${SCOPE_NRPS} ${SCOPE_AGS_SCORE} https://example.org/unknown`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).to.equal(200);
    expect(body).to.include({ token_type: 'Bearer', expires_in: 3600, scope: `${SCOPE_NRPS} ${SCOPE_AGS_SCORE}` });
    expect(body.access_token).to.be.a('string').with.length.greaterThan(20);
  });

  it('when the assertion is signed by a key the tool does not publish, then the client is refused with 401', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = { iss: lms.clientId, sub: lms.clientId, aud: lms.tokenUrl, jti: randomUUID() };
    const assertion = jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: 'fake-tool-key', expiresIn: 60 });
    const response = await post({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      scope: SCOPE_NRPS,
    });
    expect(response.status).to.equal(401);
    expect(await response.json()).to.include({ error: 'invalid_client' });
  });

  it('when the assertion names another audience or issuer, then it is refused', async () => {
    const wrongAud = await requestToken(lms, tool, SCOPE_NRPS, { aud: 'https://elsewhere.example/token' });
    const wrongIss = await requestToken(lms, tool, SCOPE_NRPS, { iss: 'other-client' });
    expect(wrongAud.status).to.equal(401);
    expect(wrongIss.status).to.equal(401);
  });

  it('when an assertion is replayed with the same jti, then the second use is refused', async () => {
    const first = await requestToken(lms, tool, SCOPE_NRPS, { jti: 'fixed-jti' });
    const second = await requestToken(lms, tool, SCOPE_NRPS, { jti: 'fixed-jti' });
    expect(first.status).to.equal(200);
    expect(second.status).to.equal(401);
  });

  it('when the grant type, assertion type or scope is wrong, then it answers 400 with an OAuth error', async () => {
    const base = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: 'x.y.z', scope: SCOPE_NRPS };
    const badGrant = await post({ ...base, grant_type: 'password' });
    const badType = await post({ ...base, client_assertion_type: 'basic' });
    const noScope = await post({ ...base, scope: '' });
    expect([badGrant.status, badType.status, noScope.status]).to.deep.equal([400, 400, 400]);
    expect(await badType.json()).to.include({ error: 'invalid_request' });
  });
});
