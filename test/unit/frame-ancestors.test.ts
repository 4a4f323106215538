import { expect } from 'chai';
import type { Platform } from '../../src/platforms/platform.js';
import { FrameAncestors, platformOrigins } from '../../src/web/frame-ancestors.js';
import { relativeWords, utcWords } from '../../src/platforms/registration-url.presenter.js';

function buildPlatform(overrides: Partial<Platform> = {}): Platform {
  return {
    id: 'p1',
    issuer: 'https://moodle.example.edu',
    clientId: 'c',
    name: 'Moodle',
    preset: 'moodle',
    authUrl: 'https://moodle.example.edu/mod/lti/auth.php',
    tokenUrl: 'https://moodle.example.edu/mod/lti/token.php',
    jwksUrl: 'https://moodle.example.edu/mod/lti/certs.php',
    newDeploymentPolicy: null,
    defaultTimeZone: 'UTC',
    ssoMatchField: 'sub',
    ltijsPlatformId: 'x',
    status: 'active',
    deployments: [],
    ...overrides,
  };
}

describe('frame-ancestors origins', () => {
  it('when a platform is approved, then its origins may frame examgate', () => {
    expect(platformOrigins([buildPlatform()])).to.deep.equal(['https://moodle.example.edu']);
  });

  it('when a platform waits for approval, then none of its origins may frame examgate', () => {
    const pending = buildPlatform({ issuer: 'https://evil.example', authUrl: 'https://evil.example/auth', status: 'pending' });
    expect(platformOrigins([buildPlatform(), pending])).to.deep.equal(['https://moodle.example.edu']);
  });
});

describe('registration URL expiry in words', () => {
  const now = new Date('2026-12-01T20:00:00Z');
  it('when the expiry lies hours, minutes or days ahead or behind, then it is said in that unit', () => {
    expect(relativeWords(new Date('2026-12-02T20:00:00Z'), now)).to.equal('in 24 hours');
    expect(relativeWords(new Date('2026-12-01T20:45:00Z'), now)).to.equal('in 45 minutes');
    expect(relativeWords(new Date('2026-12-01T21:00:00Z'), now)).to.equal('in 1 hour');
    expect(relativeWords(new Date('2026-12-08T20:00:00Z'), now)).to.equal('in 7 days');
    expect(relativeWords(new Date('2026-12-01T18:00:00Z'), now)).to.equal('2 hours ago');
  });

  it('when a time is shown, then it is a human UTC date with the zone named', () => {
    expect(utcWords(new Date('2026-12-02T08:05:00Z'))).to.equal('2 December 2026, 08:05 UTC');
  });
});

describe('frame-ancestors kept in memory', () => {
  const moodle = buildPlatform();
  const canvas = buildPlatform({
    id: 'p2',
    issuer: 'https://canvas.example.edu',
    authUrl: 'https://canvas.example.edu/auth',
    preset: 'canvas',
  });

  it('when nothing was loaded yet, then a response waits for the first load', async () => {
    const ancestors = new FrameAncestors(async () => [moodle], 1_000);
    expect(ancestors.fresh()).to.equal(null);
    expect(await ancestors.current()).to.deep.equal(['https://moodle.example.edu']);
    expect(ancestors.fresh()).to.deep.equal(['https://moodle.example.edu']);
  });

  it('when the list is stale, then responses get it at once while one reload runs, and the reloaded list after', async () => {
    let platforms = [moodle];
    let loads = 0;
    const ancestors = new FrameAncestors(async () => {
      loads += 1;
      return platforms;
    }, 0);
    await ancestors.current();
    platforms = [moodle, canvas];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ancestors.fresh(), 'the stale list, without waiting').to.deep.equal(['https://moodle.example.edu']);
    expect(ancestors.fresh(), 'a second response meanwhile').to.deep.equal(['https://moodle.example.edu']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(loads, 'one reload for both').to.equal(2);
    expect(ancestors.fresh()).to.deep.equal(['https://canvas.example.edu', 'https://moodle.example.edu']);
  });

  it('when a reload fails, then the last list stays and a later response tries again', async () => {
    let fail = false;
    let loads = 0;
    const ancestors = new FrameAncestors(async () => {
      loads += 1;
      if (fail) {
        throw new Error('database unavailable');
      }
      return [moodle];
    }, 0);
    await ancestors.current();
    fail = true;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ancestors.fresh()).to.deep.equal(['https://moodle.example.edu']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(ancestors.fresh()).to.deep.equal(['https://moodle.example.edu']);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(loads).to.equal(3);
  });
});
