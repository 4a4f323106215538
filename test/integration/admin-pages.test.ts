import { expect } from 'chai';
import request from 'supertest';
import { SimulatedLms } from '../../src/lms-sim/index.js';
import { DeploymentNotAllowedError } from '../../src/platforms/platform.errors.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';

function csrfOf(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  expect(token, 'the page carries a CSRF token').to.be.a('string');
  return token!;
}

function adminCookieOf(setCookie: string[] | string | undefined): string {
  const cookie = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith('examgate_admin='));
  expect(cookie, 'admin cookie set').to.be.a('string');
  return cookie!;
}

describe('Admin pages: sign in and platforms', () => {
  let world: TestWorld;
  let lms: SimulatedLms;
  let cookie: string;
  before(async () => {
    world = await startWorld();
    lms = await SimulatedLms.start({ clientId: 'admin-page-client', deploymentId: 'admin-page-deployment' });
  });
  beforeEach(async () => {
    const signedIn = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    cookie = adminCookieOf(signedIn.headers['set-cookie']).split(';')[0]!;
  });
  afterEach(async () => {
    for (const platform of await world.examgate.platforms.list()) {
      if (platform.issuer === lms.issuer || platform.issuer.startsWith('https://moodle.admin-page.example')) {
        await world.examgate.platforms.remove(platform.id, TEST_SETUP);
      }
    }
  });
  after(() => lms.close());

  const page = () => request(world.url).get('/admin').set('cookie', cookie);
  const post = (path: string, form: Record<string, string>) => request(world.url).post(path).set('cookie', cookie).type('form').send(form);
  const registration = (overrides: Record<string, string> = {}) => ({
    preset: 'custom',
    issuer: lms.issuer,
    clientId: lms.clientId,
    deploymentIds: `${lms.deploymentId}\nsecond-deployment`,
    authUrl: lms.authUrl,
    tokenUrl: lms.tokenUrl,
    jwksUrl: lms.jwksUrl,
    newDeploymentPolicy: 'hold',
    ...overrides,
  });

  it('when nobody is signed in, then /admin shows a labelled sign-in form and no platform', async () => {
    const response = await request(world.url).get('/admin');
    expect(response.status).to.equal(200);
    expect(response.text).to.contain('<h1>Sign in to examgate administration</h1>');
    expect(response.text).to.match(/<label for="token">Admin token<\/label>/);
    expect(response.text).not.to.contain(world.lms.issuer);
    expect(response.headers['cache-control']).to.equal('no-store');
  });

  it('when the admin token is wrong, then sign-in answers 401 with a message and sets no cookie', async () => {
    const response = await request(world.url)
      .post('/admin/sign-in')
      .type('form')
      .send({ token: `${world.adminToken}x` });
    expect(response.status).to.equal(401);
    expect(response.text).to.contain('There is a problem');
    expect(response.text).to.contain('That admin token is not correct.');
    expect(response.text).to.contain('aria-invalid="true"');
    expect(response.headers['set-cookie']).to.equal(undefined);
  });

  it('when the admin token is right, then a signed, HttpOnly, Lax (plain http), short-lived cookie opens the platform list', async () => {
    const response = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    expect(response.status).to.equal(303);
    expect(response.headers.location).to.equal('/admin');
    const attributes = adminCookieOf(response.headers['set-cookie']).toLowerCase();
    expect(attributes).to.match(/^examgate_admin=s%3a/); // cookie-parser's signature prefix
    expect(attributes).to.contain('httponly').and.contain('samesite=lax').and.contain('path=/admin').and.contain('max-age=1800');
    expect(attributes).not.to.contain('secure');

    const list = await page();
    expect(list.status).to.equal(200);
    expect(list.text).to.contain('<h1>examgate administration</h1>');
    expect(list.text).to.contain(world.lms.issuer).and.contain(world.otherLms.issuer);
    expect(list.text).to.contain(`<code>${world.url}/lti/login</code>`).and.contain(`<code>${world.url}/lti/keys</code>`);
  });

  it('when the admin cookie is forged or unsigned, then the sign-in form is shown instead', async () => {
    const value = decodeURIComponent(cookie.split('=')[1]!).replace(/^s:/, '');
    for (const forged of [
      `examgate_admin=${encodeURIComponent(value)}`,
      `examgate_admin=${encodeURIComponent(`s:${value.split('.').slice(0, 3).join('.')}.forged`)}`,
    ]) {
      const response = await request(world.url).get('/admin').set('cookie', forged);
      expect(response.text, forged).to.contain('Sign in to examgate administration');
    }
  });

  it('when the registration form is posted without its CSRF token, then it is refused with 403 and nothing is stored', async () => {
    const response = await post('/admin/platforms', registration());
    expect(response.status).to.equal(403);
    expect(response.text).to.contain('did not come from examgate');
    expect(await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId)).to.equal(null);
  });

  it('when a platform is registered through the form, then it is stored with its deployments and listed', async () => {
    const response = await post('/admin/platforms', { ...registration(), _csrf: csrfOf((await page()).text) });
    expect(response.status, response.text).to.equal(303);
    expect(response.headers.location).to.equal('/admin?done=registered');
    const stored = await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId);
    expect(stored).to.include({ preset: 'custom', authUrl: lms.authUrl, newDeploymentPolicy: 'hold' });
    expect(stored!.deployments.map((d) => d.deploymentId)).to.have.members([lms.deploymentId, 'second-deployment']);
    const list = await request(world.url).get('/admin?done=registered').set('cookie', cookie);
    expect(list.text).to.contain('role="status">The platform is registered.');
    expect(list.text).to.contain(lms.issuer);
  });

  it('when the Moodle preset is chosen, then the endpoints come from the issuer', async () => {
    const form = { preset: 'moodle', issuer: 'https://moodle.admin-page.example', clientId: 'm1', deploymentIds: '4', skipJwksCheck: 'on' };
    const response = await post('/admin/platforms', { ...form, _csrf: csrfOf((await page()).text) });
    expect(response.status, response.text).to.equal(303);
    const stored = await world.examgate.platforms.findByIssuerAndClientId('https://moodle.admin-page.example', 'm1');
    expect(stored?.jwksUrl).to.equal('https://moodle.admin-page.example/mod/lti/certs.php');
  });

  it('when the input is bad, then the form comes back with the message, linked to its field, and the typed values kept', async () => {
    const form = registration({ authUrl: '', tokenUrl: '', jwksUrl: '', name: 'Typed <name>' });
    const response = await post('/admin/platforms', { ...form, _csrf: csrfOf((await page()).text) });
    expect(response.status).to.equal(400);
    expect(response.text).to.contain('There is a problem');
    expect(response.text).to.contain('<a href="#authUrl">Missing endpoints: auth URL, token URL, JWKS URL.');
    expect(response.text).not.to.contain('--auth-url');
    expect(response.text).to.contain(`value="${lms.issuer}"`);
    expect(response.text).to.contain('value="Typed &lt;name&gt;"');
    expect(response.text).to.contain(`>${lms.deploymentId}\nsecond-deployment</textarea>`);
    expect(response.text).to.match(/<option value="custom" selected>/);
    expect(await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId)).to.equal(null);
  });

  it('when the platform is already registered or its JWKS does not answer, then the form says so with 409 / 422', async () => {
    const duplicate = registration({ issuer: world.lms.issuer, clientId: world.lms.clientId });
    const exists = await post('/admin/platforms', { ...duplicate, _csrf: csrfOf((await page()).text) });
    expect(exists.status).to.equal(409);
    expect(exists.text).to.contain('is already registered');
    const unreachable = await post('/admin/platforms', {
      ...registration({ jwksUrl: 'http://127.0.0.1:9/jwks' }),
      _csrf: csrfOf((await page()).text),
    });
    expect(unreachable.status).to.equal(422);
    expect(unreachable.text).to.contain('<a href="#jwksUrl">The platform&#39;s JWKS URL http://127.0.0.1:9/jwks is unreachable');
  });

  it('when an admin approves a held deployment, then it becomes active', async () => {
    await post('/admin/platforms', { ...registration(), _csrf: csrfOf((await page()).text) });
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
    const held = await world.examgate.platforms.admitDeployment(platform, 'course-copy:9').catch((err: unknown) => err);
    expect(held).to.be.instanceOf(DeploymentNotAllowedError);

    const list = await page();
    expect(list.text).to.contain('waiting for approval');
    expect(list.text).to.contain('aria-label="Approve deployment course-copy:9 of');
    const action = `/admin/platforms/${platform.id}/deployments/${encodeURIComponent('course-copy:9')}/approve`;
    expect(list.text).to.contain(`action="${action}"`);
    expect((await post(action, {})).status, 'without CSRF').to.equal(403);
    const approved = await post(action, { _csrf: csrfOf(list.text) });
    expect(approved.status).to.equal(303);
    const after = await world.examgate.platforms.get(platform.id);
    expect(after.deployments.find((d) => d.deploymentId === 'course-copy:9')?.status).to.equal('active');
  });

  it('when an admin removes a platform, then a confirmation page comes first and the removal deletes it', async () => {
    await post('/admin/platforms', { ...registration(), _csrf: csrfOf((await page()).text) });
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
    const confirm = await request(world.url).get(`/admin/platforms/${platform.id}/remove`).set('cookie', cookie);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.contain(`<h1>Remove ${platform.name}?</h1>`);
    expect(confirm.text).to.contain('This cannot be undone');
    expect(await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId), 'still there before confirming').not.to.equal(
      null,
    );

    const removed = await post(`/admin/platforms/${platform.id}/remove`, { _csrf: csrfOf(confirm.text) });
    expect(removed.status).to.equal(303);
    expect(removed.headers.location).to.equal('/admin?done=removed');
    expect(await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId)).to.equal(null);
  });

  it('when an admin opens a page below /admin, then the shared breadcrumb leads back to Administration and names the page', async () => {
    await post('/admin/platforms', { ...registration(), _csrf: csrfOf((await page()).text) });
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
    const crumbsOf = (html: string) => /<nav class="crumbs" aria-label="Breadcrumb"><ol>([\s\S]*?)<\/ol><\/nav>/.exec(html)?.[1] ?? '';
    const pages = [
      { path: '/admin/history', current: 'History' },
      { path: `/admin/platforms/${platform.id}/remove`, current: `Remove ${platform.name}` },
      { path: `/admin/platforms/${platform.id}/move`, current: `Move ${platform.name}` },
    ];
    for (const { path, current } of pages) {
      const answer = await request(world.url).get(path).set('cookie', cookie);
      expect(answer.status, path).to.equal(200);
      const crumbs = crumbsOf(answer.text);
      expect(crumbs, path).to.contain('<li><a href="/admin">Administration</a></li>');
      expect(crumbs, path).to.contain(`<span aria-current="page">${current}</span>`);
    }
  });

  it('when a signed-out browser posts to an admin action, then it is refused with 401', async () => {
    const response = await request(world.url).post('/admin/platforms').type('form').send(registration());
    expect(response.status).to.equal(401);
    expect(response.text).to.contain('Sign in again');
  });

  it('when the admin signs out, then the cookie is cleared', async () => {
    const response = await post('/admin/sign-out', { _csrf: csrfOf((await page()).text) });
    expect(response.status).to.equal(303);
    expect(adminCookieOf(response.headers['set-cookie'])).to.match(/^examgate_admin=;.*Expires=Thu, 01 Jan 1970/);
  });

  it('when an admin creates a registration URL, then it is shown once with its expiry in words, listed, and revocable', async () => {
    expect((await post('/admin/registration-urls', {})).status, 'without CSRF').to.equal(403);
    const created = await post('/admin/registration-urls', { hours: '6', _csrf: csrfOf((await page()).text) });
    expect(created.status).to.equal(200);
    expect(created.text).to.contain('role="status">A registration URL was created. Copy it now: it is shown only this once.');
    const url = /id="registration-url" name="registration-url" readonly value="([^"]+)"/.exec(created.text)?.[1];
    expect(url, 'copy-friendly field').to.match(new RegExp(`^${world.url}/lti/register/[A-Za-z0-9_-]{43}$`));
    expect(created.text).to.contain('expires in 6 hours').and.contain('UTC');

    const list = await page();
    expect(list.text, 'the URL is not shown again').not.to.contain(url!);
    expect(list.text).to.contain('open: not used yet');
    const action = /action="(\/admin\/registration-urls\/[^"]+\/revoke)"/.exec(list.text)?.[1];
    expect(action, 'revoke form').to.be.a('string');
    const revoked = await post(action!, { _csrf: csrfOf(list.text) });
    expect(revoked.status).to.equal(303);
    const after = await request(world.url).get(revoked.headers.location!).set('cookie', cookie);
    expect(after.text).to.contain('role="status">The registration URL is revoked');
    expect(after.text).to.match(/<td>revoked<\/td>/);
    const refused = await fetch(`${url}?openid_configuration=${encodeURIComponent(lms.openidConfigurationUrl)}`);
    expect(refused.status).to.equal(403);
  });

  it('when the lifetime of a registration URL is out of range, then the form says so at the field and nothing is created', async () => {
    const before = (await world.examgate.registrationUrls.list()).length;
    const response = await post('/admin/registration-urls', { hours: '9999', _csrf: csrfOf((await page()).text) });
    expect(response.status).to.equal(400);
    expect(response.text).to.contain('There is a problem').and.contain('<a href="#hours">A registration URL lives 1 to 720 whole hours');
    expect(response.text).to.match(/id="hours"[^>]*aria-invalid="true"/);
    expect((await world.examgate.registrationUrls.list()).length).to.equal(before);
  });

  it('when an LMS registered through a registration URL, then the admin sees it waiting and approves it on the page', async () => {
    const { url } = await world.examgate.registrationUrls.create();
    const registered = await fetch(lms.registrationInitiationUrl(url));
    expect(registered.status, await registered.text()).to.equal(200);
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
    expect(platform.status).to.equal('pending');

    const list = await page();
    expect(list.text).to.contain('Waiting for approval.').and.contain(`by ${platform.name}`);
    const action = `/admin/platforms/${platform.id}/approve`;
    expect(list.text).to.contain(`action="${action}"`).and.contain(`aria-label="Approve platform ${platform.name}"`);
    expect((await post(action, {})).status, 'without CSRF').to.equal(403);
    const approved = await post(action, { _csrf: csrfOf(list.text) });
    expect(approved.status).to.equal(303);
    expect(approved.headers.location).to.equal('/admin?done=platform-approved');
    expect((await world.examgate.platforms.get(platform.id)).status).to.equal('active');
    const after = await request(world.url).get('/admin?done=platform-approved').set('cookie', cookie);
    expect(after.text).to.contain('role="status">The platform is approved');
    expect(after.text).not.to.contain('Waiting for approval.');
  });
});
