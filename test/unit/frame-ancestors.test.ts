import { expect } from 'chai';
import type { Platform } from '../../src/platforms/platform.js';
import { platformOrigins } from '../../src/web/frame-ancestors.js';
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
