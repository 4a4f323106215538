import jwt from 'jsonwebtoken';
import type { KeyObject } from 'node:crypto';
import { DeliveryError } from './errors.js';
import { invalidClaim, parseHandoff } from './handoff.js';
import type { Handoff } from './handoff.js';
import type { ReplayStore } from './replay-store.js';

export const HANDOFF_PURPOSE = 'examgate-handoff';
/** examgate issues hand-offs for 120 s; anything meant to live much longer is not one of ours. */
const MAX_LIFETIME_SECONDS = 600;

export interface HandoffVerifierOptions {
  /** The examgate this engine trusts, without trailing slash: the only accepted `iss`. */
  examgateUrl: string;
  /** This engine's origin: the only accepted `aud`. */
  audience: string;
  clockToleranceSeconds: number;
  keys: { keyFor(kid: string): Promise<KeyObject | undefined> };
  replays: ReplayStore;
}

/** Checks a hand-off token the way the protocol says, in order, and returns it narrowed; refusals are `DeliveryError`s. */
export class HandoffVerifier {
  constructor(private readonly options: HandoffVerifierOptions) {}

  async verify(token: unknown): Promise<Handoff> {
    if (typeof token !== 'string' || token === '') {
      throw new DeliveryError('missing_handoff', 'No hand-off arrived. Start your test from examgate.');
    }
    const kid = this.#pinnedHeader(token);
    const key = await this.options.keys.keyFor(kid);
    if (!key) {
      throw new DeliveryError('unknown_key', `The hand-off is signed by an unknown key ("${kid}" is not in examgate's key set).`);
    }
    const claims = this.#verifySignature(token, key, kid);
    this.#checkTimes(claims);
    this.#checkIdentity(claims);
    const handoff = parseHandoff(claims);
    const exp = claims.exp as number;
    if (!this.options.replays.useOnce(handoff.tokenId, (exp + this.options.clockToleranceSeconds) * 1000)) {
      throw new DeliveryError('replayed', 'This hand-off has already been used. Go back to examgate and start the test again.');
    }
    return handoff;
  }

  /** RS256 and a kid, decided from the header alone, before any key is touched. */
  #pinnedHeader(token: string): string {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded) {
      throw new DeliveryError('malformed', 'The hand-off is malformed: it is not a signed token.');
    }
    const { alg, kid } = decoded.header as { alg?: unknown; kid?: unknown };
    if (alg !== 'RS256') {
      throw new DeliveryError('unsupported_algorithm', `The hand-off is signed with "${String(alg)}"; only RS256 is accepted.`);
    }
    if (typeof kid !== 'string' || kid === '') {
      throw new DeliveryError('missing_kid', 'The hand-off does not name its signing key (no "kid" in its header).');
    }
    return kid;
  }

  #verifySignature(token: string, key: KeyObject, kid: string): Record<string, unknown> {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, key, { algorithms: ['RS256'], clockTolerance: this.options.clockToleranceSeconds });
    } catch (err) {
      throw fromLibraryError(err, kid);
    }
    if (typeof payload === 'string') {
      throw new DeliveryError('malformed', 'The hand-off is malformed: its payload is not a JSON object.');
    }
    return payload;
  }

  /** jsonwebtoken checks exp only when present; a hand-off must carry both exp and iat, and be short-lived. */
  #checkTimes(claims: Record<string, unknown>): void {
    const { exp, iat } = claims;
    if (typeof exp !== 'number') {
      throw invalidClaim('exp');
    }
    if (typeof iat !== 'number') {
      throw invalidClaim('iat');
    }
    if (iat > Date.now() / 1000 + this.options.clockToleranceSeconds) {
      throw new DeliveryError('issued_in_future', "The hand-off was issued in the future: examgate's clock and this engine's disagree.");
    }
    if (exp - iat > MAX_LIFETIME_SECONDS) {
      throw invalidClaim('exp', `makes the hand-off live longer than ${MAX_LIFETIME_SECONDS} seconds`);
    }
  }

  #checkIdentity(claims: Record<string, unknown>): void {
    const { examgateUrl, audience } = this.options;
    if (claims.iss !== examgateUrl) {
      throw new DeliveryError(
        'wrong_issuer',
        `The hand-off comes from ${describe(claims.iss, 'nowhere (no "iss" claim)')}, not from the examgate this engine trusts (${examgateUrl}).`,
      );
    }
    const aud = claims.aud;
    if (aud !== audience && !(Array.isArray(aud) && aud.includes(audience))) {
      throw new DeliveryError(
        'wrong_audience',
        `The hand-off is meant for ${describe(aud, 'no one (no "aud" claim)')}, not for this engine (wrong audience; expected ${audience}).`,
      );
    }
    if (claims.purpose !== HANDOFF_PURPOSE) {
      throw new DeliveryError(
        'wrong_purpose',
        `The token is not an examgate hand-off (its purpose is ${describe(claims.purpose, 'not stated')}).`,
      );
    }
  }
}

function fromLibraryError(err: unknown, kid: string): DeliveryError {
  if (err instanceof jwt.TokenExpiredError) {
    return new DeliveryError('expired', 'This hand-off has expired. Go back to examgate and start the test again.');
  }
  if (err instanceof jwt.NotBeforeError) {
    return new DeliveryError('issued_in_future', "This hand-off is not valid yet: examgate's clock and this engine's disagree.");
  }
  if (err instanceof jwt.JsonWebTokenError && err.message === 'invalid signature') {
    return new DeliveryError('bad_signature', `The hand-off's signature does not match examgate's key "${kid}".`);
  }
  const detail = err instanceof Error ? err.message : String(err);
  return new DeliveryError('malformed', `The hand-off is malformed (${detail}).`);
}

function describe(value: unknown, whenMissing: string): string {
  return value === undefined ? whenMissing : JSON.stringify(value);
}
