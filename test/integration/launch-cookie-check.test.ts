import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ROLE_LEARNER, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/** The hidden fields of the form with this id, as a browser would post them. */
function formFields(html: string, formId: string): { action: string; target: string | null; fields: Record<string, string> } {
  const form = new RegExp(`<form id="${formId}" method="post" action="([^"]+)"(?: target="([^"]+)")?[^>]*>([\\s\\S]*?)</form>`).exec(html);
  expect(form, `form #${formId}`).to.not.equal(null);
  const fields: Record<string, string> = {};
  for (const [, name, value] of form![3]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[name!] = value!
      .replace(/&amp;/g, '&')
      .replace(/&#39;/g, "'")
      .replace(/&quot;/g, '"');
  }
  return { action: form![1]!, target: form![2] ?? null, fields };
}

/**
 * examgate checks that its cookies stick before it sends a browser to the LMS (Moodle's
 * lti_message_hint is single-use: a check after the LMS would come too late to try again).
 * These tests drive the HTTP steps a browser makes, once keeping cookies and once, like a
 * browser that blocks them inside the LMS frame, keeping none.
 */
describe('LTI login: the cookie check before the LMS', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const loginUrl = (sub: string) => world.lms.loginInitiationUrl({ user: { sub, name: 'Ola Nordmann' }, roles: [ROLE_LEARNER] });
  const loginRows = async () =>
    world.examgate.sequelize.query<{ state: string }>('SELECT state FROM login_requests', { type: QueryTypes.SELECT });

  it('when a browser logs in for the first time, then it comes back to examgate once and, its cookies kept, goes on to the LMS', async () => {
    const browser = newBrowser();
    const first = await browser.request(loginUrl('kari'));
    expect(first.status).to.equal(303);
    const check = new URL(first.headers.get('location')!, world.url);
    expect(check.pathname).to.equal('/lti/login/continue');
    expect(browser.cookies(new URL(world.url).host)).to.have.property('examgate_cookies', '1');

    const onward = await browser.request(check.toString());
    expect(onward.status).to.equal(302);
    expect(onward.headers.get('cache-control')).to.equal('no-store');
    const lms = new URL(onward.headers.get('location')!);
    expect(lms.origin).to.equal(new URL(world.lms.issuer).origin);
    expect(lms.searchParams.get('state')).to.equal(check.searchParams.get('state'));
  });

  it('when the browser already kept examgate’s cookies here, then the login goes straight to the LMS and the launch completes', async () => {
    const browser = newBrowser();
    await browser.follow(loginUrl('kari'));
    const again = await browser.request(loginUrl('kari'));
    expect(again.status).to.equal(302);
    expect(new URL(again.headers.get('location')!).origin).to.equal(new URL(world.lms.issuer).origin);
    const landed = await browser.follow(again.headers.get('location')!);
    const form = submitAutoPostForm(landed.body)!;
    const launch = await browser.follow(new URL(form.action, landed.url).toString(), { method: 'POST', form: form.fields });
    expect(launch.response.status).to.equal(200);
    expect(new URL(launch.url).pathname).to.equal('/app');
  });

  it('when the browser keeps no cookie, then the check offers a new window with the same, still unused, login, and that window gets in', async () => {
    const url = loginUrl('nils');
    const first = await fetch(url, { redirect: 'manual' });
    const check = await fetch(new URL(first.headers.get('location')!, world.url), { redirect: 'manual' });
    expect(check.status).to.equal(200);
    expect(check.headers.get('cache-control')).to.equal('no-store');
    const page = await check.text();
    expect(page).to.contain('<h1>Open examgate in a new window</h1>');
    const retry = formFields(page, 'new-window-login');
    expect(retry.action).to.equal('/lti/login');
    expect(retry.target).to.equal('_blank');
    const { examgate_restart: restart, ...resent } = retry.fields;
    expect(resent).to.deep.equal(Object.fromEntries(new URL(url).searchParams));
    expect(restart, 'the form may start its login once').to.match(/^[A-Za-z0-9_-]{22}$/);

    // The new window is first-party: it keeps its cookies. The LMS's hint was never used, so it is accepted.
    const window = newBrowser();
    const authPage = await window.follow(new URL(retry.action, world.url).toString(), { method: 'POST', form: retry.fields });
    const form = submitAutoPostForm(authPage.body);
    expect(form, authPage.body).to.not.equal(null);
    const launch = await window.follow(new URL(form!.action, authPage.url).toString(), { method: 'POST', form: form!.fields });
    expect(launch.response.status).to.equal(200);
    expect(new URL(launch.url).pathname).to.equal('/app');

    // A second press would send the LMS its spent single-use hint (Moodle: "Invalid request"); examgate answers it.
    const again = await newBrowser().follow(new URL(retry.action, world.url).toString(), { method: 'POST', form: retry.fields });
    expect(again.response.status).to.equal(400);
    expect(again.body).to.contain('examgate was already opened in a new window from this page');
    expect(again.url, 'refused before the LMS').to.equal(`${world.url}/lti/login`);

    // Without the marker the same login reaches the LMS, which refuses the spent hint (it is single-use, like Moodle's).
    const { examgate_restart: _marker, ...withoutMarker } = retry.fields;
    const spent = await newBrowser().follow(new URL(retry.action, world.url).toString(), { method: 'POST', form: withoutMarker });
    expect(spent.response.status).to.equal(400);
    expect(spent.body).to.contain('lti_message_hint does not identify a pending launch');
  });

  it('when the check is asked for a login that is unknown, finished or expired, then it answers 400 with a page saying to open the activity again', async () => {
    const browser = newBrowser();
    const first = await browser.request(loginUrl('liv'));
    const check = new URL(first.headers.get('location')!, world.url);
    await world.examgate.sequelize.query('UPDATE login_requests SET expires_at = :past', {
      replacements: { past: new Date(Date.now() - 1000) },
    });
    for (const target of [check.toString(), `${world.url}/lti/login/continue?state=nothing-like-this`, `${world.url}/lti/login/continue`]) {
      const response = await browser.request(target);
      expect(response.status, target).to.equal(400);
      const body = await response.text();
      expect(body, target).to.contain('This sign-in has expired or was already used');
      expect(body, target).not.to.contain('lti_message_hint');
    }
  });

  it('when a login is refused before the LMS (missing parameters), then nothing is stored and no check is offered', async () => {
    const response = await fetch(`${world.url}/lti/login?iss=${encodeURIComponent(world.lms.issuer)}`, { redirect: 'manual' });
    expect(response.status).to.equal(400);
    expect(await loginRows()).to.deep.equal([]);
  });
});
