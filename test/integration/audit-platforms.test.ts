import { expect } from 'chai';
import request from 'supertest';
import { ROLE_INSTRUCTOR, SimulatedLms } from '../../src/lms-sim/index.js';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { auditRows, parseCsv } from '../support/audit.js';

describe('Audit trail of platforms and deployments', () => {
  let world: TestWorld;
  let lms: SimulatedLms;
  let cookie: string;
  before(async () => {
    world = await startWorld();
    lms = await SimulatedLms.start({ clientId: 'audit-client', deploymentId: 'audit-deployment' });
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    const signedIn = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    const setCookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []);
    cookie = setCookie.find((c) => c.startsWith('examgate_admin='))!.split(';')[0]!;
  });
  afterEach(async () => {
    for (const platform of await world.examgate.platforms.list()) {
      if (platform.issuer === lms.issuer || platform.issuer.startsWith('https://moodle.audit.example')) {
        await world.examgate.platforms.remove(platform.id, TEST_SETUP);
      }
    }
  });
  after(() => lms.close());

  const api = () => request(world.url);
  const auth = () => ({ authorization: `Bearer ${world.adminToken}` });
  const csrf = async () => /name="_csrf" value="([^"]+)"/.exec((await api().get('/admin').set('cookie', cookie)).text)![1]!;
  const registerByPage = async (overrides: Record<string, string> = {}) =>
    api()
      .post('/admin/platforms')
      .set('cookie', cookie)
      .type('form')
      .send({
        _csrf: await csrf(),
        preset: 'custom',
        issuer: lms.issuer,
        clientId: lms.clientId,
        deploymentIds: lms.deploymentId,
        authUrl: lms.authUrl,
        tokenUrl: lms.tokenUrl,
        jwksUrl: lms.jwksUrl,
        newDeploymentPolicy: 'hold',
        ...overrides,
      });
  const entriesOf = (platformId: string) => auditRows(world, 'platform_id = :platformId', { platformId });
  /** Nothing an admin types or a process keeps secret may appear in any stored entry. */
  const expectNoSecrets = async () => {
    const everything = JSON.stringify(await auditRows(world, '1 = 1'));
    for (const secret of [world.config.SECRET_KEY, world.adminToken, cookie.split('=')[1]!, lms.privateKeyPem.slice(40, 80)]) {
      expect(everything).not.to.contain(secret);
    }
    expect(everything).not.to.contain('ltijs');
  };

  it('when an admin registers a platform on the page and approves a held deployment, then each writes one entry by that sign-in, via the admin page', async () => {
    const registered = await registerByPage();
    expect(registered.status, registered.text).to.equal(303);
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
    await world.examgate.platforms.admitDeployment(platform, 'course-copy-1').catch(() => undefined);
    const approved = await api()
      .post(`/admin/platforms/${platform.id}/deployments/course-copy-1/approve`)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: await csrf() });
    expect(approved.status).to.equal(303);

    const [register, seen, approve, ...more] = await entriesOf(platform.id);
    expect(more).to.have.length(0);
    expect(register).to.include({
      action: 'register',
      entity_type: 'platform',
      entity_id: platform.id,
      actor_kind: 'admin',
      via: 'admin-page',
    });
    expect(register!.actor_ref).to.match(/^sign-in [0-9a-f]{8}$/);
    expect(register!.changes).to.deep.include({
      issuer: { from: null, to: lms.issuer },
      clientId: { from: null, to: lms.clientId },
      newDeploymentPolicy: { from: null, to: 'hold' },
      deploymentIds: { from: null, to: lms.deploymentId },
    });
    expect(seen).to.include({ action: 'add', entity_type: 'deployment', entity_id: 'course-copy-1', actor_kind: 'system', via: 'launch' });
    expect(seen!.changes).to.deep.equal({ status: { from: null, to: 'pending' } });
    expect(approve).to.include({ action: 'approve', entity_id: 'course-copy-1', actor_ref: register!.actor_ref, via: 'admin-page' });
    expect(approve!.changes).to.deep.equal({ status: { from: 'pending', to: 'active' } });
    await expectNoSecrets();
  });

  it('when the admin API changes a platform, then each change is one admin-api entry with before → after', async () => {
    const created = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({ issuer: 'https://moodle.audit.example', clientId: 'm-1', deploymentId: '3', preset: 'moodle', skipJwksCheck: true });
    expect(created.status).to.equal(201);
    const id = created.body.platform.id as string;
    await api().post(`/admin/api/platforms/${id}/deployments`).set(auth()).send({ deploymentId: '4' });
    await api().put(`/admin/api/platforms/${id}/new-deployment-policy`).set(auth()).send({ policy: 'hold' });
    await api().put(`/admin/api/platforms/${id}/new-deployment-policy`).set(auth()).send({ policy: 'hold' });
    await api().delete(`/admin/api/platforms/${id}/deployments/4`).set(auth());
    expect((await api().delete(`/admin/api/platforms/${id}`).set(auth())).status).to.equal(204);

    const entries = await entriesOf(id);
    expect(entries.map((e) => `${e.entity_type} ${e.action}`)).to.deep.equal([
      'platform register',
      'deployment add',
      'platform update',
      'deployment remove',
      'platform remove',
    ]);
    for (const entry of entries) {
      expect(entry).to.include({ actor_kind: 'admin', actor_ref: 'admin API token', via: 'admin-api' });
    }
    expect(entries[2]!.changes).to.deep.equal({ newDeploymentPolicy: { from: null, to: 'hold' } });
    expect(entries[3]!.changes).to.deep.equal({ status: { from: 'active', to: null } });
    expect(entries[4]!.label).to.equal('moodle.audit.example');
    await expectNoSecrets();
  });

  it('when a registration or a change is refused, then no entry is written', async () => {
    const before = (await auditRows(world, '1 = 1')).length;
    expect((await registerByPage({ issuer: 'ftp://nope' })).status).to.equal(400);
    const duplicate = await api().post('/admin/api/platforms').set(auth()).send({
      issuer: world.lms.issuer,
      clientId: world.lms.clientId,
      deploymentId: 'x',
      authUrl: world.lms.authUrl,
      tokenUrl: world.lms.tokenUrl,
      jwksUrl: world.lms.jwksUrl,
    });
    expect(duplicate.status).to.equal(409);
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    expect((await api().post(`/admin/api/platforms/${platform.id}/deployments/nope/approve`).set(auth())).status).to.equal(404);
    expect((await api().delete(`/admin/api/platforms/${platform.id}/deployments/nope`).set(auth())).status).to.equal(404);
    expect((await api().delete('/admin/api/platforms/no-such-platform').set(auth())).status).to.equal(404);
    expect(await auditRows(world, '1 = 1')).to.have.length(before);
  });

  it('when a launch brings a new deployment id, then it is recorded once as the system’s, via the launch', async () => {
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    const launch = () =>
      world.lms.launch(newBrowser(), {
        user: { sub: 't' },
        roles: [ROLE_INSTRUCTOR],
        deploymentId: 'sub-account-audit',
        context: { id: 'c' },
      });
    await launch();
    await launch();
    const entries = await auditRows(world, `entity_type = 'deployment' AND entity_id = 'sub-account-audit'`);
    expect(entries).to.have.length(1);
    expect(entries[0]).to.include({ action: 'add', actor_kind: 'system', via: 'launch', platform_id: platform.id });
    await world.examgate.platforms.removeDeployment(platform.id, 'sub-account-audit', TEST_SETUP);
  });

  describe('the admin History page', () => {
    it('when an admin opens it, then platform and deployment changes are listed newest first, filterable by entity and platform', async () => {
      await registerByPage();
      const platform = (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
      await api().put(`/admin/api/platforms/${platform.id}/new-deployment-policy`).set(auth()).send({ policy: 'accept' });
      await api().post(`/admin/api/platforms/${platform.id}/deployments`).set(auth()).send({ deploymentId: 'extra' });

      const admin = await api().get('/admin').set('cookie', cookie);
      expect(admin.text).to.contain('href="/admin/history"');
      const all = await api().get('/admin/history').set('cookie', cookie);
      expect(all.status).to.equal(200);
      expect(all.text).to.contain('<h1>History of platforms and deployments</h1>');
      expect(all.text).to.contain('3 changes, newest first');
      const rows = all.text.split('<tr>').slice(2);
      expect(rows[0]).to.contain('Deployment <strong>extra on');
      expect(rows[1]).to.contain('new deployments: hold → accept');
      expect(rows[1]).to.contain('Administrator (admin API token)');
      expect(rows[2]).to.contain(': register');
      expect(rows[2]).to.contain('(UTC)</time>');

      const deployments = await api().get('/admin/history?entity=deployment').set('cookie', cookie);
      expect(deployments.text).to.contain('1 change, newest first');
      const otherPlatform = await api()
        .get(`/admin/history?platform=${encodeURIComponent('no-such')}`)
        .set('cookie', cookie);
      expect(otherPlatform.text).to.contain('0 changes');
      const onePlatform = await api().get(`/admin/history?entity=platform&platform=${platform.id}`).set('cookie', cookie);
      expect(onePlatform.text).to.contain('2 changes');
    });

    it('when it is downloaded, then the CSV has a BOM and one row per change; without a sign-in it is refused', async () => {
      await registerByPage();
      const download = await api()
        .get('/admin/history/download')
        .set('cookie', cookie)
        .buffer(true)
        .parse((res, done) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => done(null, Buffer.concat(chunks)));
        });
      expect(download.status).to.equal(200);
      expect(download.headers['content-type']).to.equal('text/csv; charset=utf-8');
      const bytes = download.body as Buffer;
      expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
      const rows = parseCsv(bytes.toString('utf8').slice(1));
      expect(rows).to.have.length(2);
      expect(rows[1]![2]).to.match(/^Administrator \(sign-in [0-9a-f]{8}\)$/);
      expect(rows[1]!.slice(3, 5)).to.deep.equal(['admin page', 'Platform']);

      for (const path of ['/admin/history', '/admin/history/download']) {
        const anonymous = await api().get(path);
        expect(anonymous.status, path).to.equal(401);
      }
    });
  });
});
