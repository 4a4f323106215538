import { createHmac, createPublicKey } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { Browser, SimulatedLms } from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';

function headerOf(token: string | undefined): Record<string, unknown> {
  const [encoded = ''] = (token ?? '').split('.');
  return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('SimulatedLms launch tampering', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-t', deploymentId: 'dep-t' });
    tool = await startFakeTool(lms);
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  it('when the header tamper deletes kid, then the token has no kid and the tool cannot pick a key', async () => {
    const result = await lms.launch(new Browser(), {
      user: { sub: 'u' },
      tamper: { header: ({ kid: _kid, ...rest }) => rest },
    });
    expect(headerOf(tool.received.at(-1))).not.to.have.property('kid');
    expect(result.status).to.equal(401);
  });

  it('when signed with another key, then the kid is kept but the signature fails verification', async () => {
    const result = await lms.launch(new Browser(), { user: { sub: 'u' }, tamper: { signWith: 'other-key' } });
    const token = tool.received.at(-1) ?? '';
    const jwks = (await (await fetch(lms.jwksUrl)).json()) as { keys: Array<{ kid: string }> };
    expect(headerOf(token)).to.include({ alg: 'RS256', kid: jwks.keys[0]?.kid });
    expect(result.status).to.equal(401);
    expect(result.body).to.match(/invalid signature/);
  });

  it('when signWith is none, then the token says alg none and has an empty signature', async () => {
    const result = await lms.launch(new Browser(), { user: { sub: 'u' }, tamper: { signWith: 'none' } });
    const token = tool.received.at(-1) ?? '';
    expect(headerOf(token)).to.include({ alg: 'none' });
    expect(token.endsWith('.')).to.equal(true);
    expect(result.status).to.equal(401);
  });

  it('when signWith is HS256, then the token says HS256 and an RS256-pinned tool refuses it', async () => {
    const result = await lms.launch(new Browser(), { user: { sub: 'u' }, tamper: { signWith: 'HS256' } });
    const token = tool.received.at(-1) ?? '';
    expect(headerOf(token)).to.include({ alg: 'HS256' });
    expect(result.status).to.equal(401);
    // The secret is the LMS public key PEM (algorithm confusion), so the MAC is checkable from the JWKS.
    const jwks = (await (await fetch(lms.jwksUrl)).json()) as { keys: JsonWebKey[] };
    const pem = createPublicKey({ key: jwks.keys[0] ?? {}, format: 'jwk' })
      .export({ format: 'pem', type: 'spki' })
      .toString();
    const [head, body, mac] = token.split('.');
    expect(createHmac('sha256', pem).update(`${head}.${body}`).digest('base64url')).to.equal(mac);
  });

  it('when the claims tamper edits claims, then the signed token carries the edit', async () => {
    const result = await lms.launch(new Browser(), {
      user: { sub: 'u' },
      tamper: { claims: (claims) => ({ ...claims, aud: 'someone-else' }) },
    });
    expect(jwt.decode(tool.received.at(-1) ?? '', { json: true })?.aud).to.equal('someone-else');
    expect(result.status).to.equal(401);
    expect(result.body).to.match(/audience/);
  });

  it('when dropStateCookie is set, then the tool sees no state cookie', async () => {
    const browser = new Browser();
    const result = await lms.launch(browser, { user: { sub: 'u' }, tamper: { dropStateCookie: true } });
    expect(result.status).to.equal(401);
    expect(result.body).to.match(/state cookie/);
    expect(browser.cookies(tool.baseUrl)).to.deep.equal({});
  });

  it('when replay is set, then the same id_token and state are posted twice and the second is refused', async () => {
    const result = await lms.launch(new Browser(), { user: { sub: 'u' }, tamper: { replay: true } });
    expect(result.status).to.equal(200);
    expect(result.replay?.status).to.equal(401);
    expect(tool.received.at(-1)).to.equal(tool.received.at(-2));
  });
});
