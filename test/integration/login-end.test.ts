import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { LoginRequestRepository } from '../../src/lti/login-request.repository.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/**
 * A launch ends its login and records its nonce in one step (one statement on PostgreSQL):
 * what the launch-security tests see from outside, here outcome by outcome.
 */
describe('ending a login (the launch’s state and nonce)', () => {
  let world: TestWorld;
  let logins: LoginRequestRepository;
  before(async () => {
    world = await startWorld();
    logins = new LoginRequestRepository(world.examgate.sequelize);
  });
  beforeEach(() => resetLaunchState(world));

  const inAMinute = () => new Date(Date.now() + 60_000);
  const start = (state: string, nonce: string, ttlMs = 60_000) =>
    logins.save(state, nonce, { iss: 'https://lms.example' }, 'https://lms.example/auth', ttlMs);
  const nonces = async () =>
    (await world.examgate.sequelize.query<{ nonce: string }>('SELECT nonce FROM lti_nonces', { type: QueryTypes.SELECT })).map(
      (r) => r.nonce,
    );
  const pending = async () =>
    (await world.examgate.sequelize.query<{ state: string }>('SELECT state FROM login_requests', { type: QueryTypes.SELECT })).map(
      (r) => r.state,
    );

  it('when the state and its nonce match a pending login, then it ends and the nonce is recorded as used', async () => {
    await start('state-1', 'nonce-1');
    expect(await logins.end('state-1', 'nonce-1', inAMinute())).to.equal('ended');
    expect(await nonces()).to.deep.equal(['nonce-1']);
    expect(await pending()).to.deep.equal([]);
  });

  it('when the same login is ended again, then it is not this login any more', async () => {
    await start('state-1', 'nonce-1');
    await logins.end('state-1', 'nonce-1', inAMinute());
    expect(await logins.end('state-1', 'nonce-1', inAMinute())).to.equal('not-this-login');
  });

  it('when the nonce is another login’s or the login has expired, then nothing ends and no nonce is recorded', async () => {
    await start('state-1', 'nonce-1');
    await start('state-2', 'nonce-2', -1_000);
    expect(await logins.end('state-1', 'nonce-2', inAMinute())).to.equal('not-this-login');
    expect(await logins.end('state-2', 'nonce-2', inAMinute())).to.equal('not-this-login');
    expect(await nonces()).to.deep.equal([]);
    expect(await pending()).to.include('state-1');
  });

  it('when a login claims a nonce that is still recorded as used, then it is refused as a used nonce and the login is spent', async () => {
    await start('state-1', 'nonce-1');
    await logins.end('state-1', 'nonce-1', inAMinute());
    await start('state-2', 'nonce-1');
    expect(await logins.end('state-2', 'nonce-1', inAMinute())).to.equal('nonce-used');
    expect(await pending()).to.deep.equal([]);
  });

  it('when the used nonce’s time is up, then a login that claims it may end (the row no longer protects anything)', async () => {
    await start('state-1', 'nonce-1');
    await logins.end('state-1', 'nonce-1', new Date(Date.now() - 1_000));
    await start('state-2', 'nonce-1');
    expect(await logins.end('state-2', 'nonce-1', inAMinute())).to.equal('ended');
  });

  describe('with the launch’s platform read beside the end (one statement on PostgreSQL)', () => {
    const platformRead = (deploymentId: string, issuer = world.lms.registration.issuer) =>
      world.examgate.platforms.readForLaunch(issuer, world.lms.registration.clientId, deploymentId);

    it('when the login ends, then the platform comes with it, with the launch’s known deployment', async () => {
      await start('state-1', 'nonce-1');
      const { outcome, beside } = await logins.endWith('state-1', 'nonce-1', inAMinute(), platformRead('deployment-1'));
      expect(outcome).to.equal('ended');
      expect(beside?.issuer).to.equal(world.lms.registration.issuer);
      expect(beside?.clientId).to.equal('examgate-client');
      expect(beside?.deployments.map((d) => d.deploymentId)).to.deep.equal(['deployment-1']);
      expect(await nonces()).to.deep.equal(['nonce-1']);
    });

    it('when the deployment is unknown, then the platform comes without deployments; when the platform is unknown, then none comes', async () => {
      await start('state-1', 'nonce-1');
      await start('state-2', 'nonce-2');
      const unknownDeployment = await logins.endWith('state-1', 'nonce-1', inAMinute(), platformRead('no-such-deployment'));
      expect(unknownDeployment.outcome).to.equal('ended');
      expect(unknownDeployment.beside?.deployments).to.deep.equal([]);
      const unknownPlatform = await logins.endWith(
        'state-2',
        'nonce-2',
        inAMinute(),
        platformRead('deployment-1', 'https://unknown.example'),
      );
      expect(unknownPlatform).to.deep.equal({ outcome: 'ended', beside: null });
    });

    it('when the login does not end, then the outcome says so and the read is still answered, the nonce left unrecorded', async () => {
      await start('state-1', 'nonce-1');
      const { outcome, beside } = await logins.endWith('state-1', 'someone-else', inAMinute(), platformRead('deployment-1'));
      expect(outcome).to.equal('not-this-login');
      expect(beside?.clientId).to.equal('examgate-client');
      expect(await nonces()).to.deep.equal([]);
    });
  });
});
