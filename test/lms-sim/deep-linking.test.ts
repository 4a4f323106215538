import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import {
  Browser,
  CLAIM_DEPLOYMENT_ID,
  CLAIM_DL_CONTENT_ITEMS,
  CLAIM_DL_DATA,
  CLAIM_DL_SETTINGS,
  CLAIM_MESSAGE_TYPE,
  CLAIM_VERSION,
  SimulatedLms,
} from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';

describe('SimulatedLms deep linking return', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;
  let data: string;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-dl', deploymentId: 'dep-dl' });
    tool = await startFakeTool(lms);
    await lms.launch(new Browser(), { user: { sub: 'teacher' }, roles: ['Instructor'], messageType: 'LtiDeepLinkingRequest' });
    const settings = tool.launches.at(-1)?.[CLAIM_DL_SETTINGS] as { data: string };
    data = settings.data;
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  const responseClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: lms.clientId,
    aud: lms.issuer,
    nonce: 'n-1',
    [CLAIM_MESSAGE_TYPE]: 'LtiDeepLinkingResponse',
    [CLAIM_VERSION]: '1.3.0',
    [CLAIM_DEPLOYMENT_ID]: 'dep-dl',
    [CLAIM_DL_DATA]: data,
    [CLAIM_DL_CONTENT_ITEMS]: [{ type: 'ltiResourceLink', title: 'Exam <A&B>', url: `${tool.baseUrl}/launch` }],
    ...overrides,
  });
  const postJwt = (token: string): Promise<Response> =>
    fetch(`${lms.baseUrl}/deep-link-return`, { method: 'POST', body: new URLSearchParams({ JWT: token }) });

  it('when the tool posts a JWT signed with its JWKS key, then the LMS records it and lists the escaped titles', async () => {
    const response = await postJwt(tool.sign(responseClaims(), { expiresIn: 60 }));
    const html = await response.text();
    expect(response.status).to.equal(200);
    expect(html).to.contain('<li>Exam &lt;A&amp;B&gt;</li>');
    expect(lms.deepLinkResponses).to.have.length(1);
    expect(lms.deepLinkResponses[0]?.claims[CLAIM_DL_DATA]).to.equal(data);
  });

  it('when the JWT is signed by a key outside the tool JWKS, then it is rejected with 400', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = jwt.sign(responseClaims(), privateKey, { algorithm: 'RS256', keyid: 'fake-tool-key', expiresIn: 60 });
    const response = await postJwt(forged);
    expect(response.status).to.equal(400);
    expect(await response.text()).to.match(/invalid signature/);
  });

  it('when aud, message type, deployment or data are wrong, then each is rejected', async () => {
    const cases = [
      { aud: 'https://other-lms.example' },
      { [CLAIM_MESSAGE_TYPE]: 'LtiResourceLinkRequest' },
      { [CLAIM_DEPLOYMENT_ID]: 'unknown-dep' },
      { [CLAIM_DL_DATA]: 'opaque-forged' },
    ];
    const before = lms.deepLinkResponses.length;
    for (const overrides of cases) {
      const response = await postJwt(tool.sign(responseClaims(overrides), { expiresIn: 60 }));
      expect(response.status, JSON.stringify(overrides)).to.equal(400);
    }
    expect(lms.deepLinkResponses).to.have.length(before);
  });

  it('when the JWT has no exp or the form has no JWT, then it is rejected', async () => {
    expect((await postJwt(tool.sign(responseClaims()))).status).to.equal(400);
    const empty = await fetch(`${lms.baseUrl}/deep-link-return`, { method: 'POST', body: new URLSearchParams({}) });
    expect(empty.status).to.equal(400);
  });
});
