import jwt from 'jsonwebtoken';
import { ReportRejectedError } from './attempt.errors.js';
import type { EngineKeys } from './engine-keys.js';
import { PURPOSE, type DeliveryReport } from './tokens.js';

const MAX_LIFETIME_SECONDS = 300;

function narrowScore(value: unknown): DeliveryReport['score'] {
  if (value === undefined || value === null) {
    return null;
  }
  const score = value as { given?: unknown; maximum?: unknown };
  const { given, maximum } = score;
  if (
    typeof given !== 'number' ||
    typeof maximum !== 'number' ||
    !Number.isFinite(given) ||
    !(maximum > 0) ||
    given < 0 ||
    given > maximum
  ) {
    throw new ReportRejectedError('malformed', 'score must be { given, maximum } with 0 ≤ given ≤ maximum and maximum > 0.');
  }
  return { given, maximum };
}

/**
 * Verifies a delivery engine's report: RS256 only, signed by a key the engine publishes on
 * the origin of the test's delivery URL, addressed to examgate, short-lived, for the attempt
 * it names. `deliveryUrlOf` finds that delivery URL from the (as yet unverified) attempt
 * reference; nothing in the token is trusted before the signature checks out.
 */
export async function verifyReport(
  token: string,
  deps: { publicUrl: string; engineKeys: EngineKeys; deliveryUrlOf: (attemptRef: string) => Promise<string | null> },
): Promise<DeliveryReport> {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object') {
    throw new ReportRejectedError('unauthenticated', 'The report is not a JWT.');
  }
  if (decoded.header.alg !== 'RS256' || typeof decoded.header.kid !== 'string') {
    throw new ReportRejectedError('unauthenticated', 'Reports must be signed with RS256 and name their key (kid).');
  }
  const claimedRef = decoded.payload.sub;
  const deliveryUrl = typeof claimedRef === 'string' ? await deps.deliveryUrlOf(claimedRef) : null;
  if (!deliveryUrl) {
    throw new ReportRejectedError('unknown_attempt', 'No attempt with this reference exists.');
  }
  const key = await deps.engineKeys.find(deliveryUrl, decoded.header.kid);
  if (!key) {
    throw new ReportRejectedError('unauthenticated', 'The report is signed by a key the delivery engine does not publish.');
  }
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, key, {
      algorithms: ['RS256'],
      issuer: new URL(deliveryUrl).origin,
      audience: deps.publicUrl,
      clockTolerance: 5,
      maxAge: MAX_LIFETIME_SECONDS,
    }) as jwt.JwtPayload;
  } catch (err) {
    throw new ReportRejectedError('unauthenticated', `The report was refused: ${err instanceof Error ? err.message : 'invalid token'}.`);
  }
  if (claims.purpose !== PURPOSE.report) {
    throw new ReportRejectedError('unauthenticated', `The report's purpose must be ${PURPOSE.report}.`);
  }
  if (typeof claims.jti !== 'string' || claims.jti.length === 0 || claims.jti.length > 255 || typeof claims.exp !== 'number') {
    throw new ReportRejectedError('unauthenticated', 'The report needs a jti and an exp.');
  }
  if (claims.exp - (claims.iat ?? claims.exp) > MAX_LIFETIME_SECONDS) {
    throw new ReportRejectedError('unauthenticated', `A report may live at most ${MAX_LIFETIME_SECONDS} s.`);
  }
  if (claims.event !== 'started' && claims.event !== 'finished') {
    throw new ReportRejectedError('malformed', 'event must be "started" or "finished".');
  }
  return {
    attemptRef: claimedRef as string,
    jti: claims.jti,
    expiresAt: new Date(claims.exp * 1000),
    event: claims.event,
    score: claims.event === 'finished' ? narrowScore(claims.score) : null,
  };
}
