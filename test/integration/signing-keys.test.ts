import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { SigningKeys } from '../../src/access/signing-keys.js';
import { SigningKeyRepository } from '../../src/access/signing-key.repository.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';

describe("examgate's own signing keys", () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });

  it('when the keys are read by another process, then it signs with the same key and publishes the same JWKS', async () => {
    const published = (await (await fetch(`${world.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    const another = new SigningKeys(new SigningKeyRepository(world.examgate.sequelize), world.config.secretKeys);
    expect(await another.jwks()).to.deep.equal(published);
    expect((await another.current()).kid).to.equal(published.keys[0]!.kid);
  });

  it('when the JWKS is published, then it holds public RS256 signing keys only', async () => {
    const { keys } = (await (await fetch(`${world.url}/.well-known/jwks.json`)).json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.length).to.be.greaterThan(0);
    for (const key of keys) {
      expect(key).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
        expect(key, secret).not.to.have.property(secret);
      }
    }
  });

  it('when the private key rests in the database, then it is sealed and only the right secret opens it', async () => {
    await fetch(`${world.url}/.well-known/jwks.json`);
    const rows = await world.examgate.sequelize.query<{ private_key: string }>('SELECT private_key FROM signing_keys', {
      type: QueryTypes.SELECT,
    });
    expect(rows.length).to.be.greaterThan(0);
    expect(rows[0]!.private_key).not.to.contain('PRIVATE KEY');
    const wrongSecret = new SigningKeys(new SigningKeyRepository(world.examgate.sequelize), ['another-secret-0123456789abcdef0123456789']);
    let refused: unknown = null;
    await wrongSecret.current().catch((err: unknown) => {
      refused = err;
    });
    expect(refused, 'a wrong SECRET_KEY cannot unseal the key').to.be.instanceOf(Error);
  });
});
