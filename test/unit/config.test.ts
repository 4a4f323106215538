import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('configuration', () => {
  const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://examgate.example.edu', SECRET_KEY: 'x'.repeat(40) };

  it('when production has everything it needs, then cookies are secure and the demo is off', () => {
    const config = loadConfig(production);
    expect(config.secureCookies).to.equal(true);
    expect(config.DEMO_LMS_ENABLED).to.equal(false);
    expect(config.DATABASE_URL).to.equal('sqlite:./data/examgate.sqlite');
  });

  it('when development starts with no environment, then it runs on SQLite with the demo LMS on', () => {
    const config = loadConfig({});
    expect(config.NODE_ENV).to.equal('development');
    expect(config.DEMO_LMS_ENABLED).to.equal(true);
    expect(config.secureCookies).to.equal(false);
  });

  it('when a required setting is missing, then the error names it', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SECRET_KEY: 'x'.repeat(40) })).to.throw(ConfigError, /PUBLIC_URL is required/);
  });

  it('when settings are malformed, then each one is named with what is wrong', () => {
    try {
      loadConfig({ ...production, PORT: 'eighty', DATABASE_URL: 'mysql://x', LTI_TOKEN_MAX_AGE_SECONDS: '1', SECRET_KEY: 'short' });
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message).to.match(/^Invalid configuration: /);
      expect(message).to.contain('PORT');
      expect(message).to.contain('DATABASE_URL must start with sqlite: or postgres://');
      expect(message).to.contain('LTI_TOKEN_MAX_AGE_SECONDS');
      expect(message).to.contain('SECRET_KEY must be at least 32 characters');
    }
  });

  it('when the environment sets a value, then it wins over the config files', () => {
    const config = loadConfig({ ...production, LTI_TOKEN_MAX_AGE_SECONDS: '120', NEW_DEPLOYMENT_POLICY: 'hold' });
    expect(config.LTI_TOKEN_MAX_AGE_SECONDS).to.equal(120);
    expect(config.NEW_DEPLOYMENT_POLICY).to.equal('hold');
  });

  it('when nothing says otherwise, then dynamic registration needs a registration URL that lives 24 hours', () => {
    const config = loadConfig(production);
    expect(config.DYNAMIC_REGISTRATION).to.equal('token');
    expect(config.REGISTRATION_URL_HOURS).to.equal(24);
    expect(config.DYNAMIC_REGISTRATION_AUTO_ACTIVATE).to.equal(false);
  });

  it('when production asks for open dynamic registration, then loading stops with a ConfigError saying it is for development', () => {
    expect(() => loadConfig({ ...production, DYNAMIC_REGISTRATION: 'open' })).to.throw(
      ConfigError,
      /DYNAMIC_REGISTRATION open .* development only/,
    );
    expect(loadConfig({ ...production, DYNAMIC_REGISTRATION: 'off' }).DYNAMIC_REGISTRATION).to.equal('off');
    expect(loadConfig({ NODE_ENV: 'development', DYNAMIC_REGISTRATION: 'open' }).DYNAMIC_REGISTRATION).to.equal('open');
  });

  it('when no PASSWORD_HASH_COST is set, then production hashes at scrypt 2^15, and below that it refuses to start', () => {
    expect(loadConfig(production).PASSWORD_HASH_COST).to.equal(15);
    expect(loadConfig({ ...production, PASSWORD_HASH_COST: '17' }).PASSWORD_HASH_COST).to.equal(17);
    expect(() => loadConfig({ ...production, PASSWORD_HASH_COST: '12' })).to.throw(
      ConfigError,
      /PASSWORD_HASH_COST 12 is below 15, too cheap to guess against in production: lower costs are for tests only/,
    );
    expect(() => loadConfig({ ...production, PASSWORD_HASH_COST: '9' })).to.throw(ConfigError, /PASSWORD_HASH_COST/);
    expect(loadConfig({}).PASSWORD_HASH_COST).to.equal(15);
    // The suite's own cost (config/test.json): cheap, and only outside production.
    expect(loadConfig({ NODE_ENV: 'test' }).PASSWORD_HASH_COST).to.equal(10);
  });

  it('when no TOOL_KEY_BITS is set, then platforms get 4096-bit key pairs as ltijs gives them; production refuses smaller, and odd sizes are refused everywhere', () => {
    expect(loadConfig(production).TOOL_KEY_BITS).to.equal(4096);
    expect(loadConfig({}).TOOL_KEY_BITS).to.equal(4096);
    expect(() => loadConfig({ ...production, TOOL_KEY_BITS: '2048' })).to.throw(
      ConfigError,
      /TOOL_KEY_BITS 2048 is below 4096, the size ltijs gives a platform's key pair: smaller keys are for tests only/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', TOOL_KEY_BITS: '1024' })).to.throw(
      ConfigError,
      /TOOL_KEY_BITS.*must be 2048, 3072 or 4096/,
    );
    expect(() => loadConfig({ NODE_ENV: 'test', TOOL_KEY_BITS: 'big' })).to.throw(ConfigError, /TOOL_KEY_BITS/);
    // The suite's own size (config/test.json), outside production only.
    expect(loadConfig({ NODE_ENV: 'test' }).TOOL_KEY_BITS).to.equal(2048);
  });

  it('when DYNAMIC_REGISTRATION or REGISTRATION_URL_HOURS is malformed, then the error names it', () => {
    expect(() => loadConfig({ ...production, DYNAMIC_REGISTRATION: 'anyone' })).to.throw(ConfigError, /DYNAMIC_REGISTRATION/);
    expect(() => loadConfig({ ...production, REGISTRATION_URL_HOURS: '0' })).to.throw(ConfigError, /REGISTRATION_URL_HOURS/);
  });

  it('when production names a plain-http PUBLIC_URL, then loading stops saying it must be https (except on this machine)', () => {
    expect(() => loadConfig({ ...production, PUBLIC_URL: 'http://examgate.example.edu' })).to.throw(
      ConfigError,
      /PUBLIC_URL must start with https:\/\/ in production/,
    );
    for (const local of ['http://127.0.0.1:3000', 'http://localhost:3000', 'http://[::1]:3000']) {
      expect(loadConfig({ ...production, PUBLIC_URL: local }).secureCookies, local).to.equal(false);
    }
    expect(loadConfig({ NODE_ENV: 'development', PUBLIC_URL: 'http://examgate.example.edu' }).PUBLIC_URL).to.equal(
      'http://examgate.example.edu',
    );
  });

  it('when TRUST_PROXY is not set, then only a proxy on this machine is believed', () => {
    expect(loadConfig(production).TRUST_PROXY).to.deep.equal(['loopback']);
  });

  it('when TRUST_PROXY names addresses, ranges, a hop count or false, then express gets exactly that', () => {
    expect(loadConfig({ ...production, TRUST_PROXY: '10.0.0.0/8, 192.0.2.7, loopback' }).TRUST_PROXY).to.deep.equal([
      '10.0.0.0/8',
      '192.0.2.7',
      'loopback',
    ]);
    expect(loadConfig({ ...production, TRUST_PROXY: '2001:db8::/32' }).TRUST_PROXY).to.deep.equal(['2001:db8::/32']);
    expect(loadConfig({ ...production, TRUST_PROXY: '1' }).TRUST_PROXY).to.equal(1);
    expect(loadConfig({ ...production, TRUST_PROXY: 'false' }).TRUST_PROXY).to.equal(false);
  });

  it('when TRUST_PROXY is true or names something that is not an address, then loading stops naming it', () => {
    expect(() => loadConfig({ ...production, TRUST_PROXY: 'true' })).to.throw(ConfigError, /TRUST_PROXY true would trust every client/);
    for (const bad of ['proxy.example.edu', '10.0.0.0/33', '10.0.0.1,', 'loopback; 10.0.0.1']) {
      expect(() => loadConfig({ ...production, TRUST_PROXY: bad }), bad).to.throw(ConfigError, /TRUST_PROXY must be false, a number/);
    }
  });

  it('when SECRET_KEY_PREVIOUS is set, then SECRET_KEY comes first and both are kept', () => {
    const config = loadConfig({ ...production, SECRET_KEY_PREVIOUS: 'p'.repeat(40) });
    expect(config.secretKeys).to.deep.equal(['x'.repeat(40), 'p'.repeat(40)]);
    expect(loadConfig(production).secretKeys).to.deep.equal(['x'.repeat(40)]);
  });

  it('when SECRET_KEY_PREVIOUS is short or the same as SECRET_KEY, then loading stops naming it', () => {
    expect(() => loadConfig({ ...production, SECRET_KEY_PREVIOUS: 'short' })).to.throw(
      ConfigError,
      /SECRET_KEY_PREVIOUS must be at least 32/,
    );
    expect(() => loadConfig({ ...production, SECRET_KEY_PREVIOUS: 'x'.repeat(40) })).to.throw(
      ConfigError,
      /SECRET_KEY_PREVIOUS is the same as SECRET_KEY/,
    );
  });

  it('when the config folder is not where the build expects it, then loading stops saying where it looked', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'examgate-no-config-'));
    try {
      expect(() => loadConfig(production, empty)).to.throw(ConfigError, new RegExp(`${path.join(empty, 'default.json')} is missing`));
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
