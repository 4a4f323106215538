import { expect } from 'chai';
import request from 'supertest';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';

describe('Admin API: platforms', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  const api = () => request(world.url);
  const auth = () => ({ authorization: `Bearer ${world.adminToken}` });

  it('when no or a wrong admin token is sent, then it answers 401 and lists nothing', async () => {
    const none = await api().get('/admin/api/platforms');
    expect(none.status).to.equal(401);
    expect(none.body.error.message).to.contain('admin token is required');
    const wrong = await api().get('/admin/api/platforms').set({ authorization: 'Bearer nope' });
    expect(wrong.status).to.equal(401);
  });

  it('when the admin lists platforms, then both test platforms show with their deployments and no internal ids', async () => {
    const response = await api().get('/admin/api/platforms').set(auth());
    expect(response.status).to.equal(200);
    const issuers = response.body.platforms.map((p: { issuer: string }) => p.issuer);
    expect(issuers).to.include.members([world.lms.issuer, world.otherLms.issuer]);
    expect(response.body.platforms[0]).not.to.have.property('ltijsPlatformId');
  });

  it('when the admin asks for the tool configuration, then every URL an LMS needs is given', async () => {
    const response = await api().get('/admin/api/tool-configuration').set(auth());
    expect(response.body).to.deep.equal({
      loginUrl: `${world.url}/lti/login`,
      redirectUrl: `${world.url}/lti/launch`,
      targetLinkUrl: `${world.url}/lti/launch`,
      deepLinkingUrl: `${world.url}/lti/launch`,
      jwksUrl: `${world.url}/lti/keys`,
      dynamicRegistrationUrl: `${world.url}/lti/register`,
    });
  });

  it('when a registration has no endpoints and no preset, then it is refused naming the missing ones', async () => {
    const response = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({ issuer: 'https://lms.example', clientId: 'x', deploymentId: '1' });
    expect(response.status).to.equal(400);
    expect(response.body.error.message).to.contain('Missing endpoints: auth URL, token URL, JWKS URL');
  });

  it('when the JWKS is unreachable, then registration is refused saying so and nothing is stored', async () => {
    const response = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({ issuer: 'http://127.0.0.1:9', clientId: 'unreachable', deploymentId: '1', preset: 'moodle' });
    expect(response.status).to.equal(422);
    expect(response.body.error.message).to.contain('http://127.0.0.1:9/mod/lti/certs.php is unreachable');
    const list = await api().get('/admin/api/platforms').set(auth());
    expect(list.body.platforms.map((p: { clientId: string }) => p.clientId)).not.to.include('unreachable');
  });

  it('when the JWKS answers no RSA key, then registration is refused', async () => {
    const response = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({
        issuer: 'http://127.0.0.1:1',
        clientId: 'nokeys',
        deploymentId: '1',
        authUrl: `${world.url}/a`,
        tokenUrl: `${world.url}/t`,
        jwksUrl: `${world.url}/healthz`,
      });
    expect(response.status).to.equal(422);
    expect(response.body.error.message).to.contain('holds no RSA key');
  });

  it('when the same issuer and client id are registered twice, then the second is refused with 409', async () => {
    const response = await api().post('/admin/api/platforms').set(auth()).send({
      issuer: world.lms.issuer,
      clientId: world.lms.clientId,
      deploymentId: 'x',
      authUrl: world.lms.authUrl,
      tokenUrl: world.lms.tokenUrl,
      jwksUrl: world.lms.jwksUrl,
    });
    expect(response.status).to.equal(409);
  });

  it('when a Moodle platform is registered, then the preset fills its endpoints, and it can gain a deployment and be removed', async () => {
    const created = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({ issuer: 'https://moodle.example.edu', clientId: 'moodle-1', deploymentIds: ['3'], preset: 'moodle', skipJwksCheck: true });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const platform = created.body.platform;
    expect(platform).to.include({
      authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
      tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
      jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
    });
    const added = await api().post(`/admin/api/platforms/${platform.id}/deployments`).set(auth()).send({ deploymentId: '4' });
    expect(added.body.platform.deployments.map((d: { deploymentId: string }) => d.deploymentId)).to.have.members(['3', '4']);
    expect((await api().delete(`/admin/api/platforms/${platform.id}`).set(auth())).status).to.equal(204);
    expect((await api().get(`/admin/api/platforms/${platform.id}`).set(auth())).status).to.equal(404);
    // ltijs forgot it too: a login from that issuer is now refused.
    const login = await fetch(`${world.url}/lti/login?iss=https://moodle.example.edu&login_hint=a&target_link_uri=b&client_id=moodle-1`);
    expect(login.status).to.equal(401);
  });

  it('when a Canvas platform is registered without an issuer, then the cloud issuer and Instructure endpoints are used', async () => {
    const created = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({ clientId: '10000000000001', deploymentId: '1:abc', preset: 'canvas', skipJwksCheck: true });
    expect(created.status).to.equal(201);
    expect(created.body.platform).to.include({
      issuer: 'https://canvas.instructure.com',
      authUrl: 'https://sso.canvaslms.com/api/lti/authorize_redirect',
    });
    const page = await fetch(`${world.url}/`);
    expect(page.headers.get('content-security-policy')).to.contain('https://*.instructure.com');
    await api().delete(`/admin/api/platforms/${created.body.platform.id}`).set(auth());
  });

  it('when a field is malformed, then it answers 400 naming it', async () => {
    const response = await api()
      .post('/admin/api/platforms')
      .set(auth())
      .send({ issuer: 'ftp://x', clientId: 'c', deploymentId: '1', preset: 'moodle' });
    expect(response.status).to.equal(400);
    expect(response.body.error.message).to.contain('issuer must use https://');
  });

  it('when a platform waits for approval, then the API shows it pending and approving it lets it frame examgate', async () => {
    const platform = await world.examgate.platforms.register(
      {
        preset: 'dynamic',
        issuer: 'https://moodle.pending-api.example',
        clientId: 'pending-client',
        deploymentIds: [],
        authUrl: 'https://moodle.pending-api.example/auth',
        tokenUrl: 'https://moodle.pending-api.example/token',
        jwksUrl: 'https://moodle.pending-api.example/jwks',
        skipJwksCheck: true,
        pending: true,
      },
      TEST_SETUP,
    );
    try {
      const shown = await api().get(`/admin/api/platforms/${platform.id}`).set(auth());
      expect(shown.body.platform).to.include({ status: 'pending' });
      expect((await fetch(`${world.url}/`)).headers.get('content-security-policy')).not.to.contain('moodle.pending-api.example');
      const approved = await api().post(`/admin/api/platforms/${platform.id}/approve`).set(auth());
      expect(approved.status).to.equal(200);
      expect(approved.body.platform).to.include({ status: 'active' });
      expect((await fetch(`${world.url}/`)).headers.get('content-security-policy')).to.contain('https://moodle.pending-api.example');
      const unknown = await api().post('/admin/api/platforms/no-such-id/approve').set(auth());
      expect(unknown.status).to.equal(404);
      expect(unknown.body.error.code).to.equal('not_found');
    } finally {
      await world.examgate.platforms.remove(platform.id, TEST_SETUP);
    }
  });
});
