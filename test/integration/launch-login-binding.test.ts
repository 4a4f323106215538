import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { postLaunch, startLogin } from '../support/login-steps.js';

describe('LTI launch: the id_token nonce belongs to this very login', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const host = () => new URL(world.url).host;
  const loginRows = async (state: string) =>
    (
      await world.examgate.sequelize.query<{ nonce: string | null }>('SELECT nonce FROM login_requests WHERE state = :state', {
        replacements: { state },
        type: QueryTypes.SELECT,
      })
    ).map((r) => r.nonce);

  it('when a login starts, then the LMS is sent a fresh 256-bit nonce that examgate stored with that login', async () => {
    const browser = newBrowser();
    const first = await startLogin(world, browser, { user: { sub: 'ann' } });
    const second = await startLogin(world, browser, { user: { sub: 'ann' } });
    expect(first.nonce).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(second.nonce).to.not.equal(first.nonce);
    expect(await loginRows(first.fields.state!)).to.deep.equal([first.nonce]);
    expect(await loginRows(second.fields.state!)).to.deep.equal([second.nonce]);
  });

  it('when the id_token of one login is posted with the state of another, then both are refused and no session starts', async () => {
    const browser = newBrowser();
    const a = await startLogin(world, browser, { user: { sub: 'bob' } });
    const b = await startLogin(world, browser, { user: { sub: 'bob' } });
    // The browser holds both state cookies: the state is bound to it, the nonce is not its login's.
    const swappedA = await postLaunch(browser, a, { state: b.fields.state! });
    const swappedB = await postLaunch(browser, b, { state: a.fields.state! });
    for (const result of [swappedA, swappedB]) {
      expect(result.status, result.body).to.equal(401);
      expect(result.headers.get('content-type')).to.contain('text/html');
      expect(result.body).to.contain('does not belong to the login your browser started');
    }
    expect(browser.cookies(host())).not.to.have.property('examgate_session');
  });

  it('when the LMS signs the nonce of another login, then the launch is refused', async () => {
    const browser = newBrowser();
    const other = await startLogin(world, newBrowser(), { user: { sub: 'carol' } });
    const mine = await startLogin(world, browser, { user: { sub: 'carol' }, tamper: { claims: (c) => ({ ...c, nonce: other.nonce }) } });
    const result = await postLaunch(browser, mine);
    expect(result.status, result.body).to.equal(401);
    expect(result.body).to.contain('does not belong to the login your browser started');
    expect(browser.cookies(host())).not.to.have.property('examgate_session');
  });

  it('when a launch completes, then its login is consumed', async () => {
    const browser = newBrowser();
    const login = await startLogin(world, browser, { user: { sub: 'dan' } });
    const result = await postLaunch(browser, login);
    expect(result.status, result.body).to.equal(200);
    expect(await loginRows(login.fields.state!)).to.deep.equal([]);
  });

  it('when the same id_token is posted twice at once, then exactly one launch is accepted', async () => {
    const browser = newBrowser();
    const login = await startLogin(world, browser, { user: { sub: 'erin' } });
    const results = await Promise.all([postLaunch(browser, login), postLaunch(browser, login)]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 401]);
    expect(await loginRows(login.fields.state!)).to.deep.equal([]);
  });

  it('when the browser posts without its state cookie, then the launch is refused and the login is not ended by it', async () => {
    const browser = newBrowser();
    const login = await startLogin(world, browser, { user: { sub: 'fay' } });
    browser.clearCookies(login.action);
    const result = await postLaunch(browser, login);
    expect(result.status).to.equal(401);
    expect(result.body).to.contain('sign-in cookie');
    expect(await loginRows(login.fields.state!)).to.deep.equal([login.nonce]);
  });
});
