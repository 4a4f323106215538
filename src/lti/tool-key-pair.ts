import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type LtijsStorage from 'ltijs-sequelize';

const generateRsaKeyPair = promisify(generateKeyPair);

/** The sizes TOOL_KEY_BITS allows. */
export type ToolKeyBits = 2048 | 3072 | 4096;

/** ltijs's size, the least production accepts. */
export const PRODUCTION_TOOL_KEY_BITS = 4096;

/**
 * What ltijs makes for a platform when it registers one (Auth.generatePlatformKeyPair): an
 * RSA key pair (ltijs: 4096 bits; TOOL_KEY_BITS), PEM-encoded, with its public half published
 * in the tool's key set.
 */
const keyOptions = (modulusLength: ToolKeyBits) =>
  ({
    modulusLength,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }) as const;

/** The platform fields ltijs keeps in its `platform` table. */
export interface NewLtijsPlatform {
  name: string;
  url: string;
  clientId: string;
  authenticationEndpoint: string;
  accesstokenEndpoint: string;
  authConfig: { method: 'JWK_SET' | 'JWK_KEY' | 'RSA_KEY'; key: string };
}

/**
 * Stores a new platform in ltijs's tables as ltijs's registerPlatform would, except that the
 * tool's key pair for it is generated off the event loop. ltijs generates it with
 * generateKeyPairSync: 4096 bits take one to several seconds of CPU, during which that
 * process answers nobody (every launch and page waits). Here it runs on libuv's thread pool.
 * The rows are ltijs's own: the key pair under its kid in `publickey` / `privatekey`, sealed
 * with ltijs's encryption key through its storage (as ltijs stores them), and the `platform`
 * row naming that kid. Returns the kid (ltijs's platform id). Should a write fail, what was
 * written is removed again, as ltijs does.
 */
export async function storeNewLtijsPlatform(
  storage: LtijsStorage,
  encryptionKey: string,
  platform: NewLtijsPlatform,
  keyBits: ToolKeyBits,
): Promise<string> {
  // 128 random bits: a kid that is already taken is not worth a query per registration.
  const kid = randomBytes(16).toString('hex');
  const { publicKey, privateKey } = await generateRsaKeyPair('rsa', keyOptions(keyBits));
  const owner = { platformUrl: platform.url, clientId: platform.clientId };
  try {
    await storage.Replace(encryptionKey, 'publickey', owner, { key: publicKey, kid }, { kid, ...owner });
    await storage.Replace(encryptionKey, 'privatekey', owner, { key: privateKey, kid }, { kid, ...owner });
    await storage.Replace(false, 'platform', owner, {
      platformName: platform.name,
      ...owner,
      authEndpoint: platform.authenticationEndpoint,
      accesstokenEndpoint: platform.accesstokenEndpoint,
      kid,
      authConfig: platform.authConfig,
    });
  } catch (err) {
    await storage.Delete('publickey', { kid });
    await storage.Delete('privatekey', { kid });
    await storage.Delete('platform', owner);
    throw err;
  }
  return kid;
}
