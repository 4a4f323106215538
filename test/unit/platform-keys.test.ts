import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'chai';
import { KeySetUnavailableError, PlatformKeySets } from '../../src/lti/platform-keys.js';

const URL_A = 'https://lms.example/jwks';
const OPTIONS = { ttlMs: 60_000, unknownKidRefetchMs: 10_000, timeoutMs: 1_000 };

function rsaJwk(kid: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig', ...extra };
}

/** A JWKS endpoint that serves whatever `keys` holds and counts its fetches. */
function fakeLms(keys: Array<Record<string, unknown>>) {
  const lms = { keys, fetches: 0, fail: false };
  const fetchJson = async () => {
    lms.fetches += 1;
    if (lms.fail) {
      throw new Error('connection refused');
    }
    return { keys: lms.keys };
  };
  return { lms, fetchJson };
}

describe('platform key sets (cache of the LMS JWKS)', () => {
  const k1 = rsaJwk('k1');
  const k2 = rsaJwk('k2');

  it('when the same kid is asked for twice within the TTL, then the set is fetched once and the key parsed once', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    const first = await sets.key(URL_A, 'k1', 0);
    const second = await sets.key(URL_A, 'k1', 1_000);
    expect(first?.asymmetricKeyType).to.equal('rsa');
    expect(second).to.equal(first);
    expect(lms.fetches).to.equal(1);
  });

  it('when the TTL has passed, then the set is fetched again', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    await sets.key(URL_A, 'k1', Date.now());
    await sets.key(URL_A, 'k1', Date.now() + OPTIONS.ttlMs + 1);
    expect(lms.fetches).to.equal(2);
  });

  it('when a kid is unknown (the LMS rotated), then the set is fetched again and the new key found', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    const now = Date.now();
    await sets.key(URL_A, 'k1', now);
    lms.keys = [k2];
    expect(await sets.key(URL_A, 'k2', now + 1)).to.be.an.instanceOf(Object);
    expect(lms.fetches).to.equal(2);
    // The withdrawn key went with the old set.
    expect(await sets.key(URL_A, 'k1', now + 2)).to.equal(null);
  });

  it('when unknown kids keep coming, then the set is refetched at most once per interval', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    const now = Date.now();
    await sets.key(URL_A, 'k1', now);
    for (let i = 0; i < 5; i += 1) {
      expect(await sets.key(URL_A, `made-up-${i}`, now + i)).to.equal(null);
    }
    expect(lms.fetches).to.equal(2);
    expect(await sets.key(URL_A, 'made-up-x', now + OPTIONS.unknownKidRefetchMs + 10)).to.equal(null);
    expect(lms.fetches).to.equal(3);
  });

  it('when the first launch names an unknown kid, then the set is fetched once, not twice', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    expect(await sets.key(URL_A, 'nope', Date.now())).to.equal(null);
    expect(lms.fetches).to.equal(1);
  });

  it('when launches arrive together on a cold cache, then they share one fetch', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    const keys = await Promise.all(Array.from({ length: 8 }, () => sets.key(URL_A, 'k1')));
    expect(new Set<KeyObject | null>(keys).size).to.equal(1);
    expect(lms.fetches).to.equal(1);
  });

  it('when the set cannot be fetched or read, then KeySetUnavailableError says which URL and why', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    lms.fail = true;
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    const failure = await sets.key(URL_A, 'k1').catch((err: unknown) => err);
    expect(failure).to.be.an.instanceOf(KeySetUnavailableError);
    expect((failure as Error).message)
      .to.contain(URL_A)
      .and.to.contain('connection refused');
    const unreadable = new PlatformKeySets(OPTIONS, async () => ({ nokeys: true }));
    expect(await unreadable.key(URL_A, 'k1').catch((err: unknown) => err)).to.be.an.instanceOf(KeySetUnavailableError);
  });

  it('when the set holds keys without a kid, for encryption, for another algorithm or malformed, then only the usable ones count', async () => {
    const { kid: _dropped, ...noKid } = rsaJwk('unused');
    const { fetchJson } = fakeLms([
      noKid,
      rsaJwk('enc', { use: 'enc' }),
      rsaJwk('ps', { alg: 'PS256' }),
      { kty: 'RSA', kid: 'bad', n: 'x', e: 'y' },
      k1,
    ]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    expect(await sets.key(URL_A, 'k1')).not.to.equal(null);
    for (const kid of ['enc', 'ps', 'bad']) {
      expect(await sets.key(URL_A, kid), kid).to.equal(null);
    }
  });

  it('when the sets are cleared (a platform changed), then the next launch fetches afresh', async () => {
    const { lms, fetchJson } = fakeLms([k1]);
    const sets = new PlatformKeySets(OPTIONS, fetchJson);
    await sets.key(URL_A, 'k1');
    sets.clear();
    await sets.key(URL_A, 'k1');
    expect(lms.fetches).to.equal(2);
  });
});
