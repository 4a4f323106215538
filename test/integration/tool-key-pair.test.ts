import { createPrivateKey, createPublicKey, createSign, createVerify, type JsonWebKey } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ExamgateLtiDatabase } from '../../src/lti/lti-database.js';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';

/** The tool's key pair ltijs keeps per platform, made when examgate registers the platform. */
describe('registering a platform: the tool key pair ltijs keeps for it', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });

  const register = (host: string) =>
    world.examgate.platforms.register(
      {
        preset: 'moodle',
        issuer: `https://${host}`,
        clientId: 'key-pair-client',
        deploymentIds: ['1'],
        skipJwksCheck: true,
      },
      TEST_SETUP,
    );

  it('when a platform is registered, then its key pair is stored sealed, published under its kid, and signs what that key verifies', async () => {
    const platform = await register('moodle.key-pair.example');
    try {
      const kid = platform.ltijsPlatformId;
      const { keys } = (await (await fetch(`${world.url}/lti/keys`)).json()) as { keys: Array<{ kid: string } & Record<string, unknown>> };
      const published = keys.find((k) => k.kid === kid);
      expect(published, 'the key set lists the new kid').to.not.equal(undefined);
      const publicKey = createPublicKey({ key: published as JsonWebKey, format: 'jwk' });
      expect(publicKey.asymmetricKeyDetails?.modulusLength).to.equal(world.config.TOOL_KEY_BITS);

      // At rest the private key is sealed (ltijs's own encryption), never a PEM.
      const rows = await world.examgate.sequelize.query<{ iv: string; data: string }>('SELECT iv, data FROM privatekeys WHERE kid = ?', {
        replacements: [kid],
        type: QueryTypes.SELECT,
      });
      expect(rows).to.have.length(1);
      expect(rows[0]!.iv).to.have.length.greaterThan(0);
      expect(rows[0]!.data).not.to.contain('PRIVATE KEY');
      expect(Buffer.from(rows[0]!.data, 'base64').toString('latin1')).not.to.contain('PRIVATE KEY');

      // Read back as ltijs reads it (its storage, SECRET_KEY), it is the private half of the published key.
      const storage = new ExamgateLtiDatabase(parseDatabaseUrl(world.config.DATABASE_URL), world.config.secretKeys);
      await storage.setup();
      try {
        const [stored] = (await storage.Get(world.config.SECRET_KEY, 'privatekey', { kid })) || [];
        const privateKey = createPrivateKey(String((stored as { key?: unknown } | undefined)?.key));
        const signature = createSign('RSA-SHA256').update('examgate').sign(privateKey);
        expect(createVerify('RSA-SHA256').update('examgate').verify(publicKey, signature)).to.equal(true);
      } finally {
        await storage.Close();
      }
    } finally {
      await world.examgate.platforms.remove(platform.id, TEST_SETUP);
    }
  });

  it('when a platform is being registered, then the process answers other requests meanwhile (the key pair is made off the event loop)', async () => {
    const started = performance.now();
    let registeredAfter = Number.NaN;
    const registration = register('moodle.key-pair-busy.example').then((platform) => {
      registeredAfter = performance.now() - started;
      return platform;
    });
    // One request after another while the registration runs; each must be answered long before it ends.
    const answers: number[] = [];
    while (Number.isNaN(registeredAfter) && answers.length < 200) {
      const asked = performance.now();
      const health = await fetch(`${world.url}/healthz`);
      expect(health.status).to.equal(200);
      answers.push(performance.now() - asked);
    }
    const platform = await registration;
    try {
      expect(answers.length, 'requests answered while registering').to.be.greaterThan(1);
      // A 4096-bit key pair made on the event loop would hold one of these for most of the registration.
      expect(Math.max(...answers)).to.be.lessThan(registeredAfter / 2);
    } finally {
      await world.examgate.platforms.remove(platform.id, TEST_SETUP);
    }
  });
});
