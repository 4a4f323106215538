import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * LTI platform storage (1EdTech "LTI Client Side postMessages" and "Platform Storage"): a
 * platform that sends `lti_storage_target` at login keeps small values for the tool in its
 * own page, reached by postMessage from the tool's frame. examgate uses it where cookies do
 * not stick in the frame: the login puts a random proof there, and the launch page reads it
 * back, which binds the launch to this browser as the state cookie would.
 */

/** `_parent` or the name of a frame in the platform's page; anything else is not used. */
export function storageTargetOf(params: Record<string, string>): string | null {
  const target = params.lti_storage_target;
  return target && /^[A-Za-z0-9_.-]{1,64}$/.test(target) ? target : null;
}

/** The key a login's proof is kept under (values are kept per tool origin by the platform). */
export function storageKeyOf(state: string): string {
  return `examgate-login-${state}`;
}

export function newStorageProof(): { proof: string; hash: string } {
  const proof = randomBytes(32).toString('base64url');
  return { proof, hash: proofHash(proof) };
}

function proofHash(proof: string): string {
  return createHash('sha256').update(proof).digest('hex');
}

export function proofMatches(proof: string, expectedHash: string): boolean {
  const actual = Buffer.from(proofHash(proof), 'hex');
  const expected = Buffer.from(expectedHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** The platform's own origin, the only one its storage frame may answer from: the origin of its authentication endpoint. */
export function platformOriginOf(redirectUrl: string): string {
  return new URL(redirectUrl).origin;
}
