import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { throttleRules } from '../../src/throttle/throttle-rules.js';
import type { ThrottleRule } from '../../src/throttle/throttle.service.js';
import { preloadThrottle, throttleHits } from '../support/throttle-counters.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

describe('Throttled ways in: /admin/sign-in, /lti/login, /lti/register', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const rules = () => throttleRules(world.config);
  const address = '127.0.0.1';

  const preload = (rule: ThrottleRule, key: string, hits: number) => preloadThrottle(world, rule, key, hits);

  function expectThrottledPage(response: { status: number; headers: Record<string, string>; text: string }, windowSeconds: number) {
    expect(response.status).to.equal(429);
    const retryAfter = Number(response.headers['retry-after']);
    expect(retryAfter).to.be.within(1, windowSeconds);
    expect(response.headers['content-type']).to.contain('text/html');
    expect(response.text).to.contain('<h1>Too many attempts</h1>');
    expect(response.text).to.match(/try again in \d+ (seconds?|minutes?|hours) \(after \d\d:\d\d UTC\)/);
  }

  const signIn = (token: string) => request(world.url).post('/admin/sign-in').type('form').send({ token });

  describe('/admin/sign-in', () => {
    it('when an address has failed as often as allowed, then even the right token is refused with 429 and no cookie', async () => {
      const rule = rules().adminSignIn.failuresPerAddress!;
      await preload(rule, address, rule.limit - 1);
      const lastTry = await signIn('wrong-token-0123456789abcdef');
      expect(lastTry.status).to.equal(401);
      const locked = await signIn(world.adminToken);
      expectThrottledPage(locked, rule.windowSeconds);
      expect(locked.headers['set-cookie'] ?? []).to.satisfy((c: string[]) => !c.some((x) => x.startsWith('examgate_admin=')));
    });

    it('when an address signs in right after some failures, then it gets in', async () => {
      const rule = rules().adminSignIn.failuresPerAddress!;
      await preload(rule, address, rule.limit - 2);
      expect((await signIn('wrong-token-0123456789abcdef')).status).to.equal(401);
      expect((await signIn(world.adminToken)).status).to.equal(303);
    });

    it('when an address tries more often than allowed, then further attempts are refused whatever they send', async () => {
      const rule = rules().adminSignIn.attemptsPerAddress!;
      await preload(rule, address, rule.limit - 1);
      expect((await signIn(world.adminToken)).status).to.equal(303);
      expectThrottledPage(await signIn(world.adminToken), rule.windowSeconds);
    });
  });

  describe('/admin/api (the same ADMIN_TOKEN as the sign-in form)', () => {
    const api = (token: string) => request(world.url).get('/admin/api/platforms').set('authorization', `Bearer ${token}`);

    it('when an address keeps sending wrong admin tokens to the API, then it is locked out like the sign-in form, with a JSON 429', async () => {
      const rule = rules().adminSignIn.failuresPerAddress!;
      await preload(rule, address, rule.limit - 1);
      const lastTry = await api('wrong-token-0123456789abcdef');
      expect(lastTry.status).to.equal(401);
      const locked = await api(world.adminToken);
      expect(locked.status).to.equal(429);
      expect(Number(locked.headers['retry-after'])).to.be.within(1, rule.windowSeconds);
      expect(locked.body.error.code).to.equal('too_many_requests');
      expect(locked.body.error.message).to.match(/try again in/);
    });

    it('when wrong tokens went to the API, then the sign-in form of that address counts them too', async () => {
      const rule = rules().adminSignIn.failuresPerAddress!;
      await preload(rule, address, rule.limit - 1);
      expect((await api('wrong-token-0123456789abcdef')).status).to.equal(401);
      expectThrottledPage(await signIn(world.adminToken), rule.windowSeconds);
    });

    it('when a script makes many calls with the right token, then none of them is throttled', async () => {
      const rule = rules().adminSignIn.attemptsPerAddress!;
      await preload(rule, address, rule.limit);
      expect((await api(world.adminToken)).status).to.equal(200);
    });
  });

  describe('/lti/login', () => {
    it('when a class launches at once up to the limit, then every launch gets through and only the next is refused', async () => {
      const rule = rules().ltiLoginPerAddress;
      await preload(rule, address, rule.limit - 30);
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => world.lms.launch(newBrowser(), { user: { sub: `learner-${i}` } })),
      );
      expect(results.map((r) => r.status)).to.deep.equal(results.map(() => 200));
      const oneTooMany = await world.lms.launch(newBrowser(), { user: { sub: 'learner-31' } });
      expect(oneTooMany.status).to.equal(429);
    });

    it('when an address is over its login limit, then the login answers 429 with a page and never reaches the LMS', async () => {
      const rule = rules().ltiLoginPerAddress;
      await preload(rule, address, rule.limit);
      const response = await request(world.url)
        .get('/lti/login')
        .query({ iss: world.lms.issuer, client_id: world.lms.clientId, login_hint: 'u', target_link_uri: `${world.url}/lti/launch` });
      expectThrottledPage(response, rule.windowSeconds);
      expect(response.headers.location).to.equal(undefined);
    });

    const loginQuery = (iss: string) => ({
      iss,
      client_id: world.lms.clientId,
      login_hint: 'u',
      target_link_uri: `${world.url}/lti/launch`,
    });
    const storedLogins = async () =>
      (await world.examgate.sequelize.query('SELECT state FROM login_requests', { type: QueryTypes.SELECT })).length;
    const hitsOf = (rule: ThrottleRule) => throttleHits(world, rule);

    it('when a login is refused by the throttle, then no login is recorded and no state cookie is set', async () => {
      const rule = rules().ltiLoginPerPlatform;
      await preload(rule, `${world.lms.issuer} ${world.lms.clientId}`, rule.limit);
      const response = await request(world.url).get('/lti/login').query(loginQuery(world.lms.issuer));
      expectThrottledPage(response, rule.windowSeconds);
      expect(response.headers['set-cookie'] ?? []).to.deep.equal([]);
      expect(await storedLogins()).to.equal(0);
      expect(await hitsOf(rule)).to.deep.equal([rule.limit + 1]);
    });

    it('when a login goes through, then it is recorded and counted once for its address and once for its platform', async () => {
      const response = await request(world.url).get('/lti/login').query(loginQuery(world.lms.issuer));
      expect(response.status).to.be.oneOf([302, 303]);
      expect(await storedLogins()).to.equal(1);
      expect(await hitsOf(rules().ltiLoginPerAddress)).to.deep.equal([1]);
      expect(await hitsOf(rules().ltiLoginPerPlatform)).to.deep.equal([1]);
    });

    it('when a login names no registered platform or lacks parameters, then it is counted and, over the limit, refused with 429', async () => {
      const rule = rules().ltiLoginPerAddress;
      const unknown = await request(world.url).get('/lti/login').query(loginQuery('https://unknown-lms.example'));
      expect(unknown.status).to.equal(401);
      const missing = await request(world.url).get('/lti/login').query({ iss: world.lms.issuer });
      expect(missing.status).to.equal(400);
      expect(await hitsOf(rule)).to.deep.equal([2]);
      await preload(rule, address, rule.limit);
      expectThrottledPage(await request(world.url).get('/lti/login').query(loginQuery('https://unknown-lms.example')), rule.windowSeconds);
      expectThrottledPage(await request(world.url).get('/lti/login').query({ iss: world.lms.issuer }), rule.windowSeconds);
      expect(await storedLogins()).to.equal(0);
    });

    it('when one platform is over its login limit, then its logins are refused and another platform still launches', async () => {
      const rule = rules().ltiLoginPerPlatform;
      await preload(rule, `${world.lms.issuer} ${world.lms.clientId}`, rule.limit);
      const refused = await world.lms.launch(newBrowser(), { user: { sub: 'ann' } });
      expect(refused.status).to.equal(429);
      expect(refused.body).to.contain('Too many attempts');
      const other = await world.otherLms.launch(newBrowser(), { user: { sub: 'ann' } });
      expect(other.status).to.equal(200);
    });

    it('when a posted login is throttled and the client asks for JSON, then it gets a JSON error', async () => {
      const rule = rules().ltiLoginPerPlatform;
      await preload(rule, `${world.lms.issuer} ${world.lms.clientId}`, rule.limit);
      const response = await request(world.url)
        .post('/lti/login')
        .set('accept', 'application/json')
        .type('form')
        .send({ iss: world.lms.issuer, client_id: world.lms.clientId, login_hint: 'u', target_link_uri: `${world.url}/lti/launch` });
      expect(response.status).to.equal(429);
      expect(Number(response.headers['retry-after'])).to.be.within(1, rule.windowSeconds);
      expect(response.body.error.code).to.equal('too_many_requests');
      expect(response.body.error.message).to.match(/try again in/);
    });
  });

  describe('/lti/register', () => {
    it('when an address has started too many registrations, then the next answers 429 with a page', async () => {
      const rule = rules().ltiRegisterPerAddress;
      await preload(rule, address, rule.limit);
      const response = await request(world.url).get('/lti/register').query({ openid_configuration: 'http://127.0.0.1:9/x' });
      expectThrottledPage(response, rule.windowSeconds);
    });
  });
});
