import { expect } from 'chai';
import { loadConfig } from '../../src/config.js';
import { ROLE_LEARNER, SimulatedLms, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { resetLaunchState, startWorld } from '../support/examgate-under-test.js';

interface LaunchCookies {
  /** ltijs's OIDC state cookie, set by the login initiation. */
  state: string;
  /** Set beside it: its return tells examgate that cookies stick in this browser context. */
  probe: string;
  /** examgate's session cookie, set by the launch. */
  session: string;
  adminSignIn?: string;
}

/** One Set-Cookie header's attributes, lower-cased, without its name=value. */
function attributesOf(setCookie: string): string[] {
  return setCookie
    .split(';')
    .slice(1)
    .map((a) => a.trim().toLowerCase());
}

function find(headers: Headers, prefix: string): string {
  const cookie = headers.getSetCookie().find((c) => c.startsWith(prefix));
  expect(cookie, `Set-Cookie ${prefix}…`).to.be.a('string');
  return cookie!;
}

/**
 * A launch done step by step with plain fetch, so every Set-Cookie header is seen as sent:
 * login initiation → examgate's cookie check → LMS auth endpoint → form_post of the id_token
 * with the state cookie.
 */
async function launchCollectingCookies(lms: SimulatedLms): Promise<LaunchCookies> {
  const loginUrl = lms.loginInitiationUrl({ user: { sub: 'cookie-user' }, roles: [ROLE_LEARNER] });
  const login = await fetch(loginUrl, { redirect: 'manual' });
  expect(login.status, 'a first login comes back to examgate, to see whether its cookies stick').to.equal(303);
  const state = find(login.headers, 'state');
  const probe = find(login.headers, 'examgate_cookies=');
  const check = await fetch(new URL(login.headers.get('location')!, loginUrl), {
    headers: { cookie: [state, probe].map((c) => c.split(';')[0]).join('; ') },
    redirect: 'manual',
  });
  expect(check.status, 'the cookies came back, so the login goes on to the LMS').to.equal(302);
  const auth = await fetch(check.headers.get('location')!);
  const form = submitAutoPostForm(await auth.text());
  expect(form, 'the LMS answers with a form_post').to.not.equal(null);
  const launch = await fetch(form!.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: state.split(';')[0]! },
    body: new URLSearchParams(form!.fields),
    redirect: 'manual',
  });
  expect(launch.status, 'the launch is accepted').to.equal(303);
  return { state, probe, session: find(launch.headers, 'examgate_session=') };
}

async function adminSignInCookie(url: string, token: string): Promise<string> {
  const response = await fetch(`${url}/admin/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }),
    redirect: 'manual',
  });
  return find(response.headers, 'examgate_admin=');
}

describe('cookie attributes', () => {
  describe('when PUBLIC_URL is plain http (the shared test examgate)', () => {
    it('then the state, session and admin cookies are HttpOnly, SameSite=Lax and not Secure', async () => {
      const world = await startWorld();
      await resetLaunchState(world);
      const cookies = { ...(await launchCollectingCookies(world.lms)), adminSignIn: await adminSignInCookie(world.url, world.adminToken) };
      for (const [name, cookie] of Object.entries(cookies)) {
        const attributes = attributesOf(cookie);
        expect(attributes, name).to.include.members(['httponly', 'samesite=lax']);
        expect(attributes, name).not.to.include.members(['secure']);
        expect(attributes, name).not.to.include.members(['partitioned']);
      }
    });
  });

  describe('when PUBLIC_URL is https (an examgate process behind a TLS proxy)', function () {
    this.timeout(60_000);
    let work: ReturnType<typeof tempDir>;
    let child: ChildExamgate | null = null;
    let lms: SimulatedLms | null = null;
    before(() => {
      work = tempDir('examgate-cookies-');
    });
    after(async () => {
      await child?.stop();
      await lms?.close();
      work.remove();
    });

    it('then the launch cookies are HttpOnly, Secure, SameSite=None and Partitioned, so they survive in the LMS iframe; the admin cookie is not partitioned', async () => {
      const adminToken = loadConfig({ NODE_ENV: 'test' }).ADMIN_TOKEN!;
      child = await startChildExamgate({
        cwd: work.dir,
        env: { NODE_ENV: 'test', PUBLIC_URL: 'https://examgate.invalid', DATABASE_URL: `sqlite:${work.dir}/examgate.sqlite` },
      });
      lms = await SimulatedLms.start({ clientId: 'https-client', deploymentId: 'https-deployment' });
      // The TLS proxy is left out: the test talks to the process where the proxy would.
      lms.configureTool({ loginUrl: `${child.url}/lti/login`, launchUrl: `${child.url}/lti/launch`, jwksUrl: `${child.url}/lti/keys` });
      const registered = await fetch(`${child.url}/admin/api/platforms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify(lms.registration),
      });
      expect(registered.status, await registered.clone().text()).to.equal(201);

      const launchCookies = await launchCollectingCookies(lms);
      for (const [name, cookie] of Object.entries(launchCookies)) {
        expect(attributesOf(cookie), name).to.include.members(['httponly', 'secure', 'samesite=none', 'partitioned']);
      }
      // Admin pages are never embedded: their cookie is first-party and needs no partition.
      expect(attributesOf(await adminSignInCookie(child.url, adminToken))).to.include.members(['httponly', 'secure', 'samesite=none']);
    });
  });
});
