import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { SimulatedLms, submitAutoPostForm, type AutoPostForm, type StartOptions } from '../../src/lms-sim/index.js';
import { startFakeTool, type FakeTool } from './fake-tool.js';

const LEARNER = { user: { sub: 'u-course' }, context: { id: 'bio', title: 'Biology' }, resourceLink: { id: 'rl-quiz', title: 'Quiz' } };

async function page(url: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url);
  return { status: response.status, html: await response.text() };
}

/** The login initiation a course page (or its new-window page) posts. */
async function loginForm(url: string): Promise<AutoPostForm> {
  const form = submitAutoPostForm((await page(url)).html);
  if (!form) {
    throw new Error(`${url} has no login form`);
  }
  return form;
}

/** The tool's authentication request for a login initiation, as a well-behaved tool sends it. */
function authorizeParams(login: AutoPostForm, state = 's-course', nonce = 'n-course'): Record<string, string> {
  const f = login.fields;
  return {
    scope: 'openid',
    response_type: 'id_token',
    response_mode: 'form_post',
    prompt: 'none',
    client_id: f.client_id ?? '',
    redirect_uri: f.target_link_uri ?? '',
    login_hint: f.login_hint ?? '',
    lti_message_hint: f.lti_message_hint ?? '',
    nonce,
    state,
  };
}

describe('SimulatedLms course page: the tool embedded like Moodle\'s "Embed" container', () => {
  const started: Array<{ lms: SimulatedLms; tool: FakeTool }> = [];
  async function lmsWith(options: Partial<StartOptions> = {}) {
    const lms = await SimulatedLms.start({ clientId: 'client-course', deploymentId: 'dep-course', ...options });
    const tool = await startFakeTool(lms);
    started.push({ lms, tool });
    return { lms, tool };
  }
  after(async () => {
    for (const { lms, tool } of started) {
      await tool.close();
      await lms.close();
    }
  });
  const authorize = (lms: SimulatedLms, params: Record<string, string>) =>
    fetch(`${lms.authUrl}?${new URLSearchParams(params).toString()}`);

  it('when the course page is opened, then it posts a login initiation with a fresh hint into its tool frame', async () => {
    const { lms, tool } = await lmsWith();
    const url = lms.coursePageUrl(LEARNER);
    const { status, html } = await page(url);
    expect(status).to.equal(200);
    expect(html).to.contain('<h1>Biology</h1>');
    expect(html).to.match(/<form id="lti-launch" method="post" action="[^"]+" target="tool-frame">/);
    expect(html).to.match(/<iframe name="tool-frame" title="Quiz"/);
    const first = await loginForm(url);
    expect(first.action).to.equal(tool.endpoints.loginUrl);
    expect(first.fields).to.include({
      iss: lms.issuer,
      login_hint: 'u-course',
      target_link_uri: tool.endpoints.launchUrl,
      client_id: 'client-course',
      lti_deployment_id: 'dep-course',
    });
    expect(first.fields.lti_message_hint).to.match(/^[0-9a-f]{32}$/);
    expect(first.fields).to.not.have.property('lti_storage_target');
    const second = await loginForm(url);
    expect(second.fields.lti_message_hint, 'each view is a new launch').to.not.equal(first.fields.lti_message_hint);
  });

  it('when the new-window link is asked for, then it opens the same activity top level with a hint of its own', async () => {
    const { lms, tool } = await lmsWith();
    const url = lms.coursePageUrl(LEARNER, { newWindowLink: true });
    const { html } = await page(url);
    const link = /<a href="([^"]+)" target="_blank">Open Quiz in a new window<\/a>/.exec(html);
    expect(link, 'a target=_blank link').to.not.equal(null);
    const windowPage = await page(link![1]!);
    expect(windowPage.html).to.not.contain('target=');
    const login = await loginForm(link![1]!);
    expect(login.action).to.equal(tool.endpoints.loginUrl);
    expect(login.fields.lti_message_hint).to.not.equal(submitAutoPostForm(html)!.fields.lti_message_hint);
    expect((await page(lms.coursePageUrl(LEARNER))).html, 'only when asked').to.not.contain('new window');
  });

  it('when a course page that was never placed is opened, then it answers 404 saying so', async () => {
    const { lms } = await lmsWith();
    const { status, html } = await page(`${lms.baseUrl}/course/0123456789abcdef`);
    expect(status).to.equal(404);
    expect(html).to.contain('no activity is placed');
  });

  it('when the hint is single-use (Moodle), then a second authentication request with it is refused', async () => {
    const { lms } = await lmsWith({ messageHint: 'single-use' });
    const login = await loginForm(lms.coursePageUrl(LEARNER));
    expect((await authorize(lms, authorizeParams(login))).status).to.equal(200);
    const again = await authorize(lms, authorizeParams(login, 's-again', 'n-again'));
    expect(again.status).to.equal(400);
    expect(await again.text()).to.contain('lti_message_hint does not identify a pending launch');
  });

  it('when the hint is reusable (Canvas), then every authentication request with it is answered with an id_token', async () => {
    const { lms } = await lmsWith({ messageHint: 'reusable' });
    const login = await loginForm(lms.coursePageUrl(LEARNER));
    for (const [state, nonce] of [
      ['s-1', 'n-1'],
      ['s-2', 'n-2'],
    ] as const) {
      const response = await authorize(lms, authorizeParams(login, state, nonce));
      expect(response.status, state).to.equal(200);
      const fields = submitAutoPostForm(await response.text())!.fields;
      expect(fields.state).to.equal(state);
      expect(jwt.decode(fields.id_token ?? '')).to.include({ nonce, sub: 'u-course' });
    }
  });

  it('when the LMS offers platform storage, then the login, the course page and the auth response name its frame', async () => {
    const { lms } = await lmsWith({ platformStorage: { target: 'post_message_forwarding' } });
    expect(new URL(lms.loginInitiationUrl(LEARNER)).searchParams.get('lti_storage_target')).to.equal('post_message_forwarding');
    const url = lms.coursePageUrl(LEARNER);
    const { html } = await page(url);
    const frame = html.indexOf(
      `<iframe name="post_message_forwarding" title="Platform storage" src="${lms.baseUrl}/post_message_forwarding" hidden>`,
    );
    expect(frame, 'the forwarding frame').to.be.above(-1);
    expect(frame, 'before the tool frame').to.be.below(html.indexOf('<iframe name="tool-frame"'));
    expect(html).to.contain(`<script src="${lms.baseUrl}/platform-storage.js"></script>`);
    const login = await loginForm(url);
    expect(login.fields.lti_storage_target).to.equal('post_message_forwarding');
    const answer = submitAutoPostForm(await (await authorize(lms, authorizeParams(login))).text());
    expect(answer?.fields.lti_storage_target, 'repeated in the form post').to.equal('post_message_forwarding');
    const forwarding = await page(`${lms.baseUrl}/post_message_forwarding`);
    expect(forwarding.html).to.contain(`<script src="${lms.baseUrl}/platform-storage.js"></script>`);
    const script = await fetch(`${lms.baseUrl}/platform-storage.js`);
    expect(script.headers.get('content-type')).to.contain('javascript');
    expect(await script.text()).to.contain('var FRAME = "post_message_forwarding";');
  });

  it('when the storage target is _parent, then the course page answers itself and holds no forwarding frame', async () => {
    const { lms } = await lmsWith({ platformStorage: { target: '_parent' } });
    const { html } = await page(lms.coursePageUrl(LEARNER));
    expect(html).to.not.contain('post_message_forwarding');
    expect(html).to.contain('/platform-storage.js"></script>');
    expect(submitAutoPostForm(html)!.fields.lti_storage_target).to.equal('_parent');
  });

  it('when the LMS offers no platform storage (Moodle 4.5), then it serves no storage script or frame', async () => {
    const { lms } = await lmsWith();
    expect((await page(lms.coursePageUrl(LEARNER))).html).to.not.contain('platform-storage');
    expect((await fetch(`${lms.baseUrl}/platform-storage.js`)).status).to.equal(404);
    expect((await fetch(`${lms.baseUrl}/post_message_forwarding`)).status).to.equal(404);
  });
});
