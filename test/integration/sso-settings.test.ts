import { expect } from 'chai';
import request from 'supertest';
import { auditRows } from '../support/audit.js';
import { resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { removePlatformsOf } from '../support/registration.js';

const ISSUER = 'https://moodle.sso-settings.example';

describe('A platform’s SSO settings on /admin: what SSO user IDs are matched on, and other SSO setups', () => {
  let world: TestWorld;
  let cookie: string;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    const signedIn = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  });
  afterEach(() => removePlatformsOf(world, ISSUER));

  const register = (name = 'Sso Moodle') =>
    world.examgate.platforms.register(
      { preset: 'moodle', issuer: ISSUER, clientId: `sso-${name.length}`, name, deploymentIds: ['1'], skipJwksCheck: true },
      TEST_SETUP,
    );
  const page = () => request(world.url).get('/admin').set('cookie', cookie);
  const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await page()).text)![1]!;
  const post = async (path: string, form: Record<string, string>) =>
    request(world.url)
      .post(path)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: await csrf(), ...form });

  it('when a platform is new, then it matches on the LMS user id, and the page offers the three fields in a labelled select', async () => {
    const platform = await register();
    expect(platform.ssoMatchField).to.equal('sub');
    const list = await page();
    expect(list.text).to.contain(`<label for="ssoMatch-${platform.id}">Match SSO user IDs of this LMS identity on</label>`);
    expect(list.text).to.contain('<option value="sub" selected>The LMS user id (sub)</option>');
    expect(list.text)
      .to.contain('<option value="sis_id">The SIS id</option>')
      .and.contain('<option value="email">The e-mail address</option>');
  });

  it('when an admin chooses the e-mail, then it is stored, the page says so, and the change is audited; an unknown field is refused at its field', async () => {
    const platform = await register();
    const saved = await post(`/admin/platforms/${platform.id}/sso-match`, { ssoMatchField: 'email' });
    expect(saved.status, saved.text).to.equal(303);
    expect(saved.headers.location).to.equal(`/admin?done=sso-match#platform-${platform.id}`);
    expect((await world.examgate.platforms.get(platform.id)).ssoMatchField).to.equal('email');
    const after = await request(world.url).get('/admin?done=sso-match').set('cookie', cookie);
    expect(after.text).to.contain('role="status">Saved: SSO user IDs of this LMS identity are matched on the field chosen');
    const [entry] = await auditRows(world, `platform_id = :id AND action = 'update'`, { id: platform.id });
    expect(entry).to.include({ entity_type: 'platform', actor_kind: 'admin', via: 'admin-page' });
    expect(entry!.changes).to.deep.equal({ ssoMatchField: { from: 'sub', to: 'email' } });

    const refused = await post(`/admin/platforms/${platform.id}/sso-match`, { ssoMatchField: 'name' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('There is a problem').and.contain(`<a href="#ssoMatch-${platform.id}">`);
    expect(refused.text).to.contain('Choose what SSO user IDs are matched on: the LMS user id, the SIS id or the e-mail address.');
    expect(refused.text).to.match(new RegExp(`id="ssoMatch-${platform.id}" name="ssoMatchField"[^>]*aria-invalid="true"`));
    expect((await world.examgate.platforms.get(platform.id)).ssoMatchField).to.equal('email');
  });

  it('when an admin registers an SSO setup, then it is listed, offered as an auth type and audited; a repeat in other letter case or an empty name is refused', async () => {
    const platform = await register();
    const saved = await post(`/admin/platforms/${platform.id}/sso-setups`, { name: '  Feide   login ' });
    expect(saved.status, saved.text).to.equal(303);
    expect((await page()).text).to.contain('<span data-sso-setup>Feide login</span>');
    const types = await world.examgate.ssoSetups.authTypesOf(platform.id);
    expect(types.map((t) => t.label)).to.deep.equal(['Sso Moodle (LMS identity, matched on the LMS user id)', 'Feide login']);
    const [entry] = await auditRows(world, `platform_id = :id AND action = 'sso-setup-add'`, { id: platform.id });
    expect(entry).to.include({ entity_type: 'platform', via: 'admin-page' });
    expect(entry!.changes).to.deep.equal({ ssoSetup: { from: null, to: 'Feide login' } });

    const again = await post(`/admin/platforms/${platform.id}/sso-setups`, { name: 'FEIDE LOGIN' });
    expect(again.status).to.equal(400);
    expect(again.text)
      .to.contain(`<a href="#ssoSetup-${platform.id}">`)
      .and.contain('Sso Moodle already has an SSO setup named &quot;FEIDE LOGIN&quot;.');
    expect(again.text).to.match(new RegExp(`id="ssoSetup-${platform.id}" name="name" maxlength="200"\\s+value="FEIDE LOGIN"`));
    const empty = await post(`/admin/platforms/${platform.id}/sso-setups`, { name: ' ' });
    expect(empty.text).to.contain('Give the SSO setup a name of 1 to 200 characters.');
    expect(await world.examgate.ssoSetups.list(platform.id)).to.have.length(1);
  });

  it('when an admin renames an SSO setup or removes one no candidate uses, then the page says so and each change is audited; a clash, an empty name or another platform’s setup is refused', async () => {
    const platform = await register();
    const feide = await world.examgate.ssoSetups.register(platform.id, 'Feide', TEST_SETUP);
    const idporten = await world.examgate.ssoSetups.register(platform.id, 'ID-porten', TEST_SETUP);
    const listed = await page();
    expect(listed.text).to.contain(`<label for="ssoSetupName-${feide.id}">Name of <span data-sso-setup>Feide</span></label>`);
    expect(listed.text).to.contain('aria-label="Remove the SSO setup ID-porten"');

    const renamed = await post(`/admin/platforms/${platform.id}/sso-setups/${feide.id}/rename`, { name: ' Feide  (students) ' });
    expect(renamed.status, renamed.text).to.equal(303);
    expect(renamed.headers.location).to.equal(`/admin?done=sso-setup-renamed#platform-${platform.id}`);
    const after = await request(world.url).get('/admin?done=sso-setup-renamed').set('cookie', cookie);
    expect(after.text).to.contain('The SSO setup is renamed: candidates imported with it keep it, under the new name.');
    expect(await world.examgate.ssoSetups.authType(platform.id, feide.id)).to.deep.equal({ id: feide.id, label: 'Feide (students)' });
    const [renameEntry] = await auditRows(world, `platform_id = :id AND action = 'sso-setup-rename'`, { id: platform.id });
    expect(renameEntry!.changes).to.deep.equal({ ssoSetup: { from: 'Feide', to: 'Feide (students)' } });

    const clash = await post(`/admin/platforms/${platform.id}/sso-setups/${feide.id}/rename`, { name: 'id-porten' });
    expect(clash.status).to.equal(400);
    expect(clash.text)
      .to.contain(`<a href="#ssoSetupName-${feide.id}">`)
      .and.contain('Sso Moodle already has an SSO setup named &quot;id-porten&quot;.');
    expect(clash.text).to.match(new RegExp(`id="ssoSetupName-${feide.id}" name="name" maxlength="200"\\s+value="id-porten"`));
    const empty = await post(`/admin/platforms/${platform.id}/sso-setups/${feide.id}/rename`, { name: '' });
    expect(empty.text).to.contain('Give the SSO setup a name of 1 to 200 characters.');
    expect((await world.examgate.ssoSetups.list(platform.id)).map((s) => s.name)).to.deep.equal(['Feide (students)', 'ID-porten']);

    const removed = await post(`/admin/platforms/${platform.id}/sso-setups/${idporten.id}/remove`, {});
    expect(removed.status, removed.text).to.equal(303);
    expect(removed.headers.location).to.equal(`/admin?done=sso-setup-removed#platform-${platform.id}`);
    expect((await world.examgate.ssoSetups.list(platform.id)).map((s) => s.name)).to.deep.equal(['Feide (students)']);
    const [removeEntry] = await auditRows(world, `platform_id = :id AND action = 'sso-setup-remove'`, { id: platform.id });
    expect(removeEntry!.changes).to.deep.equal({ ssoSetup: { from: 'ID-porten', to: null } });

    const [other] = (await world.examgate.platforms.list()).filter((p) => p.id !== platform.id);
    const elsewhere = await world.examgate.ssoSetups.register(other!.id, 'Elsewhere', TEST_SETUP);
    for (const action of ['rename', 'remove']) {
      const crossed = await post(`/admin/platforms/${platform.id}/sso-setups/${elsewhere.id}/${action}`, { name: 'Mine now' });
      expect(crossed.status, action).to.equal(404);
    }
    expect(await world.examgate.ssoSetups.authType(other!.id, elsewhere.id)).to.deep.equal({ id: elsewhere.id, label: 'Elsewhere' });
    await world.examgate.ssoSetups.remove(other!.id, elsewhere.id, TEST_SETUP);
  });

  it('when a setup belongs to another platform, then an import of this platform cannot name it', async () => {
    const platform = await register();
    const [other] = (await world.examgate.platforms.list()).filter((p) => p.id !== platform.id);
    const setup = await world.examgate.ssoSetups.register(other!.id, 'Elsewhere', TEST_SETUP);
    expect(await world.examgate.ssoSetups.authType(platform.id, setup.id)).to.equal(null);
    expect(await world.examgate.ssoSetups.authType(other!.id, setup.id)).to.deep.equal({ id: setup.id, label: 'Elsewhere' });
  });
});
