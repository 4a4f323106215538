import { expect } from 'chai';
import { ROLE_LEARNER, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/** The response headers that protect a page or tell the browser how to treat it. */
const SECURITY_HEADERS = [
  'cache-control',
  'content-security-policy',
  'cross-origin-embedder-policy',
  'cross-origin-opener-policy',
  'cross-origin-resource-policy',
  'origin-agent-cluster',
  'referrer-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-dns-prefetch-control',
  'x-download-options',
  'x-frame-options',
  'x-permitted-cross-domain-policies',
  'x-powered-by',
  'x-xss-protection',
] as const;

/** What examgate's own pages carry (helmet 8 with examgate's options: web/security-headers.ts). */
const EXAMGATE_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'origin-agent-cluster': '?1',
  'referrer-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-dns-prefetch-control': 'off',
  'x-download-options': 'noopen',
  'x-permitted-cross-domain-policies': 'none',
  'x-xss-protection': '0',
};

/** ltijs's answers (login initiation, launch, key set) carry its own helmet's headers over examgate's. */
const LTIJS_HEADERS = {
  ...EXAMGATE_HEADERS,
  'cross-origin-embedder-policy': 'require-corp',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=15552000; includeSubDomains',
};

/** The security headers of a response, with the CSP's per-response nonce replaced by a mark. */
function securityHeadersOf(response: Response): Record<string, string> {
  const found: Record<string, string> = {};
  for (const name of SECURITY_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) {
      found[name] = name === 'content-security-policy' ? value.replace(/'nonce-[A-Za-z0-9+/=]{24}'/, "'nonce-N'") : value;
    }
  }
  return found;
}

function policyFor(world: TestWorld): string {
  const frameAncestors = [world.lms, world.otherLms].map((lms) => new URL(lms.registration.issuer).origin).sort();
  return (
    "default-src 'self';base-uri 'self';font-src 'self' https: data:;" +
    `frame-ancestors 'self' ${frameAncestors.join(' ')};img-src 'self' data:;object-src 'none';` +
    "script-src 'self' 'nonce-N';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests"
  );
}

const cookiesOf = (response: Response) =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

/**
 * Every response of a launch keeps the security headers it has always had, whichever part of
 * examgate answers it and however that part is wired (ltijs's helmet is replayed rather than
 * run per request: lti/ltijs-helmet.ts).
 */
describe('security headers of every response of a launch', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  it('when a learner launches in a new browser, reloads the landing, and the launch is replayed, then each answer carries exactly its headers', async () => {
    const policy = policyFor(world);
    const ltijs = { ...LTIJS_HEADERS, 'content-security-policy': policy };
    const own = { ...EXAMGATE_HEADERS, 'content-security-policy': policy };
    const loginUrl = world.lms.loginInitiationUrl({
      user: { sub: 'headers-learner' },
      roles: [ROLE_LEARNER],
      context: { id: 'headers-course' },
      resourceLink: { id: 'headers-link' },
    });

    const login = await fetch(loginUrl, { redirect: 'manual' });
    expect(login.status, 'a first login checks its cookie first').to.equal(303);
    expect(securityHeadersOf(login), 'login initiation').to.deep.equal(ltijs);
    const loginCookies = cookiesOf(login);

    const check = await fetch(new URL(login.headers.get('location')!, loginUrl), { headers: { cookie: loginCookies }, redirect: 'manual' });
    expect(check.status).to.equal(302);
    expect(securityHeadersOf(check), 'the cookie check').to.deep.equal({ ...own, 'cache-control': 'no-store' });

    const form = submitAutoPostForm(await (await fetch(check.headers.get('location')!)).text());
    expect(form, 'the LMS answers with a form_post').to.not.equal(null);
    const post = () =>
      fetch(form!.action, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookies },
        body: new URLSearchParams(form!.fields),
        redirect: 'manual',
      });
    const launch = await post();
    expect(launch.status).to.equal(303);
    expect(securityHeadersOf(launch), 'the launch').to.deep.equal(ltijs);

    const landingUrl = new URL(launch.headers.get('location')!, form!.action);
    const session = cookiesOf(launch)
      .split('; ')
      .filter((c) => c.startsWith('examgate_session='))
      .join('; ');
    for (const visit of ['landing', 'landing reloaded']) {
      const landing = await fetch(landingUrl, { headers: { cookie: session }, redirect: 'manual' });
      expect(landing.status, visit).to.equal(200);
      expect(securityHeadersOf(landing), visit).to.deep.equal(own);
    }

    const replay = await post();
    expect(replay.status, 'a replayed launch is refused').to.equal(401);
    expect(securityHeadersOf(replay), 'the refusal').to.deep.equal(ltijs);

    const keys = await fetch(`${world.url}/lti/keys`);
    expect(securityHeadersOf(keys), 'the key set').to.deep.equal(ltijs);
  });

  it('when a browser whose cookies are known to stick logs in again, then the redirect to the LMS carries ltijs’s headers', async () => {
    const first = await fetch(world.lms.loginInitiationUrl({ user: { sub: 'headers-again' }, roles: [ROLE_LEARNER] }), {
      redirect: 'manual',
    });
    const again = await fetch(world.lms.loginInitiationUrl({ user: { sub: 'headers-again' }, roles: [ROLE_LEARNER] }), {
      headers: { cookie: cookiesOf(first) },
      redirect: 'manual',
    });
    expect(again.status).to.equal(302);
    expect(securityHeadersOf(again)).to.deep.equal({ ...LTIJS_HEADERS, 'content-security-policy': policyFor(world) });
  });
});
