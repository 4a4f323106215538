import { expect } from 'chai';
import request from 'supertest';
import { auditRows } from '../support/audit.js';
import { resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { removePlatformsOf } from '../support/registration.js';

const ISSUER = 'https://moodle.time-zone.example';

describe('A platform’s default time zone for new tests: admin page, admin API', () => {
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

  const register = (overrides: Record<string, unknown> = {}) =>
    world.examgate.platforms.register(
      { preset: 'moodle', issuer: ISSUER, clientId: 'tz-client', deploymentIds: ['1'], skipJwksCheck: true, ...overrides },
      TEST_SETUP,
    );
  const page = () => request(world.url).get('/admin').set('cookie', cookie);
  const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await page()).text)![1]!;
  const setZone = async (platformId: string, timeZone: string) =>
    request(world.url)
      .post(`/admin/platforms/${platformId}/time-zone`)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: await csrf(), timeZone });
  const api = () => request(world.url);
  const auth = () => ({ authorization: `Bearer ${world.adminToken}` });

  it('when a platform is registered without a zone, then it is UTC, and the admin page shows it in a labelled field of its own', async () => {
    const platform = await register();
    expect(platform.defaultTimeZone).to.equal('UTC');
    const list = await page();
    expect(list.text).to.contain(`<label for="timeZone-${platform.id}">Default time zone for new tests</label>`);
    expect(list.text).to.match(new RegExp(`id="timeZone-${platform.id}" name="timeZone" maxlength="64"\\s+value="UTC"`));
  });

  it('when an admin saves a zone on the admin page, then it is stored, the page says so, and the change is audited', async () => {
    const platform = await register();
    const saved = await setZone(platform.id, ' Europe/Oslo ');
    expect(saved.status, saved.text).to.equal(303);
    expect(saved.headers.location).to.equal(`/admin?done=time-zone#platform-${platform.id}`);
    expect((await world.examgate.platforms.get(platform.id)).defaultTimeZone).to.equal('Europe/Oslo');
    const after = await request(world.url).get('/admin?done=time-zone').set('cookie', cookie);
    expect(after.text).to.contain('role="status">The default time zone is saved');
    const [entry, ...more] = await auditRows(world, `platform_id = :id AND action = 'update'`, { id: platform.id });
    expect(more).to.have.length(0);
    expect(entry).to.include({ entity_type: 'platform', actor_kind: 'admin', via: 'admin-page' });
    expect(entry!.changes).to.deep.equal({ defaultTimeZone: { from: 'UTC', to: 'Europe/Oslo' } });
    // Saving the same zone again changes nothing and writes no entry.
    await setZone(platform.id, 'Europe/Oslo');
    expect(await auditRows(world, `platform_id = :id AND action = 'update'`, { id: platform.id })).to.have.length(1);
  });

  it('when the zone is not one, then the page answers 400 with the message at that platform’s field, the typed value kept, nothing saved', async () => {
    const platform = await register();
    const refused = await setZone(platform.id, 'Europe/Atlantis');
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('There is a problem').and.contain(`<a href="#timeZone-${platform.id}">`);
    expect(refused.text).to.contain('&quot;Europe/Atlantis&quot; is not a time zone');
    expect(refused.text).to.match(new RegExp(`id="timeZone-${platform.id}"[^>]*value="Europe/Atlantis"[^>]*aria-invalid="true"`));
    expect((await world.examgate.platforms.get(platform.id)).defaultTimeZone).to.equal('UTC');
    expect(await auditRows(world, `platform_id = :id AND action = 'update'`, { id: platform.id })).to.have.length(0);
  });

  it('when a platform is registered on the admin form with a zone, then it starts with it; a wrong one is refused at its field', async () => {
    const form = { preset: 'moodle', issuer: ISSUER, clientId: 'tz-form', deploymentIds: '2', skipJwksCheck: 'on' };
    const wrong = await request(world.url)
      .post('/admin/platforms')
      .set('cookie', cookie)
      .type('form')
      .send({ ...form, defaultTimeZone: 'Nowhere/Special', _csrf: await csrf() });
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.contain('<a href="#defaultTimeZone">');
    const right = await request(world.url)
      .post('/admin/platforms')
      .set('cookie', cookie)
      .type('form')
      .send({ ...form, defaultTimeZone: 'America/Chicago', _csrf: await csrf() });
    expect(right.status, right.text).to.equal(303);
    expect((await world.examgate.platforms.findByIssuerAndClientId(ISSUER, 'tz-form'))?.defaultTimeZone).to.equal('America/Chicago');
  });

  it('when the admin API registers with a zone or changes it, then it is stored; a wrong zone is a 400 naming the setting', async () => {
    const created = await api().post('/admin/api/platforms').set(auth()).send({
      issuer: ISSUER,
      clientId: 'tz-api',
      deploymentId: '3',
      preset: 'moodle',
      skipJwksCheck: true,
      defaultTimeZone: 'Asia/Tokyo',
    });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.platform).to.include({ defaultTimeZone: 'Asia/Tokyo' });
    const id = created.body.platform.id as string;
    const changed = await api().put(`/admin/api/platforms/${id}/default-time-zone`).set(auth()).send({ timeZone: 'Europe/Lisbon' });
    expect(changed.status).to.equal(200);
    expect(changed.body.platform).to.include({ defaultTimeZone: 'Europe/Lisbon' });
    const refused = await api().put(`/admin/api/platforms/${id}/default-time-zone`).set(auth()).send({ timeZone: 'Lisbon' });
    expect(refused.status).to.equal(400);
    expect(refused.body.error).to.include({ code: 'invalid_platform' });
    expect(refused.body.error.message).to.contain('"Lisbon" is not a time zone');
    const [entry] = await auditRows(world, `platform_id = :id AND action = 'update'`, { id });
    expect(entry).to.include({ via: 'admin-api' });
    expect(entry!.changes).to.deep.equal({ defaultTimeZone: { from: 'Asia/Tokyo', to: 'Europe/Lisbon' } });
  });
});
