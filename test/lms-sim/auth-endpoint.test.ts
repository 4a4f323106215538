import { expect } from 'chai';
import { Browser, SimulatedLms, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { startFakeTool } from './fake-tool.js';
import type { FakeTool } from './fake-tool.js';

describe('SimulatedLms OIDC authorization endpoint', () => {
  let lms: SimulatedLms;
  let tool: FakeTool;

  before(async () => {
    lms = await SimulatedLms.start({ clientId: 'client-auth', deploymentId: 'dep', issuer: 'https://lms.example.test' });
    tool = await startFakeTool(lms);
  });
  after(async () => {
    await tool.close();
    await lms.close();
  });

  /** Authentication parameters as a well-behaved tool sends them for a fresh pending launch. */
  const validParams = (): Record<string, string> => {
    const login = new URL(lms.loginInitiationUrl({ user: { sub: 'u-a' } }));
    const q = (name: string): string => login.searchParams.get(name) ?? '';
    return {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: q('client_id'),
      redirect_uri: q('target_link_uri'),
      login_hint: q('login_hint'),
      lti_message_hint: q('lti_message_hint'),
      nonce: 'n-1',
      state: 's-1',
    };
  };
  const authorize = (params: Record<string, string>): Promise<Response> =>
    fetch(`${lms.authUrl}?${new URLSearchParams(params).toString()}`);

  it('when the request is valid, then it answers a form_post page to the redirect_uri with id_token and state', async () => {
    const response = await authorize(validParams());
    const html = await response.text();
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-type')).to.contain('text/html');
    expect(html).to.contain(`action="${tool.endpoints.launchUrl}"`);
    expect(html).to.match(/name="id_token" value="[\w-]+\.[\w-]+\.[\w-]+"/);
    expect(html).to.contain('name="state" value="s-1"');
  });

  it('when the request is sent as a POST form, then it is accepted too', async () => {
    const response = await fetch(lms.authUrl, { method: 'POST', body: new URLSearchParams(validParams()) });
    expect(response.status).to.equal(200);
  });

  it('when redirect_uri is not the registered launch URL, then it answers 400 with a reason', async () => {
    const response = await authorize({ ...validParams(), redirect_uri: 'https://evil.example/steal' });
    expect(response.status).to.equal(400);
    expect(await response.text()).to.match(/redirect_uri/);
  });

  it('when nonce or state is missing, then it answers 400', async () => {
    const { nonce: _nonce, ...noNonce } = validParams();
    const { state: _state, ...noState } = validParams();
    const missingNonce = await authorize(noNonce);
    expect(missingNonce.status).to.equal(400);
    expect(await missingNonce.text()).to.match(/nonce/);
    expect((await authorize(noState)).status).to.equal(400);
  });

  it('when a fixed OIDC parameter or the client id is wrong, then it answers 400', async () => {
    const variants: Array<Record<string, string>> = [
      { prompt: 'login' },
      { response_mode: 'query' },
      { scope: 'profile' },
      { client_id: 'someone' },
      { login_hint: 'other-user' },
    ];
    for (const variant of variants) {
      const response = await authorize({ ...validParams(), ...variant });
      expect(response.status, JSON.stringify(variant)).to.equal(400);
    }
  });

  it('when the issuer option is set, then the login initiation and id_token use it', async () => {
    const login = new URL(lms.loginInitiationUrl({ user: { sub: 'u-a' } }));
    expect(login.searchParams.get('iss')).to.equal('https://lms.example.test');
    const result = await lms.launch(new Browser(), { user: { sub: 'u-iss' } });
    expect(result.status).to.equal(200);
    expect(tool.launches.at(-1)?.iss).to.equal('https://lms.example.test');
  });

  it('when the demo launch URL is opened, then it redirects to the tool login with a demo instructor', async () => {
    const response = await fetch(`${lms.baseUrl}/launch?role=instructor&user=prof`, { redirect: 'manual' });
    const location = new URL(response.headers.get('location') ?? '');
    expect(response.status).to.equal(302);
    expect(location.toString().startsWith(tool.endpoints.loginUrl)).to.equal(true);
    expect(location.searchParams.get('login_hint')).to.equal('prof');
    const browser = new Browser();
    const authPage = await browser.follow(location.toString());
    const form = submitAutoPostForm(authPage.body);
    expect(form?.action).to.equal(tool.endpoints.launchUrl);
    const result = await browser.follow(form?.action ?? '', { method: 'POST', form: form?.fields ?? {} });
    expect(result.body).to.equal('tool app');
    expect(tool.launches.at(-1)?.['https://purl.imsglobal.org/spec/lti/claim/context']).to.include({ id: 'demo-course' });
  });
});
