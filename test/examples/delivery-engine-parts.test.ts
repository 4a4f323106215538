import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { readCliConfig } from '../../examples/delivery-engine/cli-config.js';
import { DeliveryError } from '../../examples/delivery-engine/errors.js';
import { grade, QUESTION_IDS } from '../../examples/delivery-engine/grading.js';
import { JwksCache } from '../../examples/delivery-engine/jwks-cache.js';

/** A fetch stand-in serving a key set that tests can change, counting calls. */
function keySetServer(kids: string[]) {
  const publicKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  const state = { kids, calls: 0, failing: false };
  const fetchFn = (async () => {
    state.calls += 1;
    if (state.failing) {
      throw new Error('connect ECONNREFUSED');
    }
    const keys = state.kids.map((kid) => ({ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }));
    return new Response(JSON.stringify({ keys }), { headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { state, fetchFn };
}

describe('delivery engine JWKS cache', () => {
  let clock: number;
  const now = (): number => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('when a kid is unknown, then the key set is refetched at most once per 30 s', async () => {
    const { state, fetchFn } = keySetServer(['k1']);
    const cache = new JwksCache({ url: 'http://examgate.test/.well-known/jwks.json', fetch: fetchFn, now });
    expect(await cache.keyFor('k1')).not.to.equal(undefined);
    expect(await cache.keyFor('k2')).to.equal(undefined);
    expect(state.calls).to.equal(2);
    state.kids = ['k1', 'k2'];
    clock += 29_000;
    expect(await cache.keyFor('k2')).to.equal(undefined);
    expect(state.calls).to.equal(2);
    clock += 1_000;
    expect(await cache.keyFor('k2')).not.to.equal(undefined);
    expect(state.calls).to.equal(3);
  });

  it('when the very first look-up names an unknown kid, then one fetch answers it', async () => {
    const { state, fetchFn } = keySetServer(['k1']);
    const cache = new JwksCache({ url: 'http://examgate.test/.well-known/jwks.json', fetch: fetchFn, now });
    expect(await cache.keyFor('nope')).to.equal(undefined);
    expect(state.calls).to.equal(1);
  });

  it('when the keys are older than the maximum age, then a withdrawn key stops working', async () => {
    const { state, fetchFn } = keySetServer(['old']);
    const cache = new JwksCache({ url: 'http://examgate.test/.well-known/jwks.json', fetch: fetchFn, now, maxAgeMs: 60_000 });
    expect(await cache.keyFor('old')).not.to.equal(undefined);
    state.kids = ['new'];
    clock += 60_000;
    expect(await cache.keyFor('old')).to.equal(undefined);
  });

  it('when examgate is unreachable, then known keys keep working and a cold cache reports jwks_unavailable', async () => {
    const { state, fetchFn } = keySetServer(['k1']);
    const warm = new JwksCache({ url: 'http://examgate.test/.well-known/jwks.json', fetch: fetchFn, now, maxAgeMs: 60_000 });
    await warm.keyFor('k1');
    state.failing = true;
    clock += 60_000;
    expect(await warm.keyFor('k1')).not.to.equal(undefined);
    const cold = new JwksCache({ url: 'http://examgate.test/.well-known/jwks.json', fetch: fetchFn, now });
    const failure = await cold.keyFor('k1').then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).to.be.instanceOf(DeliveryError).and.include({ code: 'jwks_unavailable', status: 502 });
    expect((failure as Error).message).to.include('ECONNREFUSED');
  });
});

describe('delivery engine CLI configuration', () => {
  it('when EXAMGATE_URL is set, then the defaults fill the rest', () => {
    expect(readCliConfig({ EXAMGATE_URL: 'http://127.0.0.1:3000' })).to.deep.equal({
      ok: true,
      options: { examgateUrl: 'http://127.0.0.1:3000', port: 4100, host: '127.0.0.1', mountPath: '/' },
    });
  });

  it('when several settings are wrong, then every problem is reported at once', () => {
    const config = readCliConfig({
      EXAMGATE_URL: 'ftp://x',
      PORT: '70000',
      MOUNT_PATH: 'deliver',
      ENGINE_PRIVATE_KEY_FILE: '/nonexistent.pem',
    });
    expect(config.ok).to.equal(false);
    expect(config.ok ? [] : config.problems).to.have.length(4);
  });
});

describe('delivery engine grading', () => {
  it('when answers are right, wrong or missing, then each right one is a point out of 2', () => {
    expect(grade({ q1: '42', q2: '11' })).to.deep.equal({ given: 2, maximum: 2 });
    expect(grade({ q1: '42', q2: '9' })).to.deep.equal({ given: 1, maximum: 2 });
    expect(grade({ q1: '48', q2: '11' })).to.deep.equal({ given: 1, maximum: 2 });
    expect(grade({ q1: '', q2: '' })).to.deep.equal({ given: 0, maximum: 2 });
  });

  it('when a value is close to but not a right choice, then it is wrong', () => {
    expect(grade({ q1: '42 ', q2: '011' })).to.deep.equal({ given: 0, maximum: 2 });
    expect(grade({ q1: '11', q2: '42' })).to.deep.equal({ given: 0, maximum: 2 });
  });

  it('then only the two questions are read', () => {
    expect(QUESTION_IDS).to.deep.equal(['q1', 'q2']);
  });
});
