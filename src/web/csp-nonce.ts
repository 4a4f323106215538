import { randomFillSync } from 'node:crypto';

const NONCE_BYTES = 16;
const POOL_BYTES = NONCE_BYTES * 256;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

/**
 * A fresh CSP nonce (16 bytes from the CSPRNG, base64) for every response. The bytes are cut
 * from a pool the CSPRNG refills, one call per 256 responses instead of one each (every
 * response needs a nonce, and a call costs more than the bytes); none is ever handed out twice.
 */
export function cspNonce(): string {
  if (offset >= POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const nonce = pool.toString('base64', offset, offset + NONCE_BYTES);
  offset += NONCE_BYTES;
  return nonce;
}
