import { JwksUnreachableError } from './platform.errors.js';

/**
 * Fetches a platform's key set once at registration so a typo in the JWKS URL shows up
 * now, not as a failed launch on exam morning.
 */
export async function assertJwksUsable(jwksUrl: string, timeoutMs = 5_000): Promise<void> {
  let response: Response;
  try {
    response = await fetch(jwksUrl, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : err instanceof Error ? err.message : String(err);
    throw new JwksUnreachableError(jwksUrl, cause);
  }
  if (!response.ok) {
    throw new JwksUnreachableError(jwksUrl, `it answered HTTP ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new JwksUnreachableError(jwksUrl, 'it did not answer JSON');
  }
  const keys = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
  const usable = Array.isArray(keys) && keys.some((k) => typeof k === 'object' && k !== null && (k as { kty?: unknown }).kty === 'RSA');
  if (!usable) {
    throw new JwksUnreachableError(jwksUrl, 'it holds no RSA key ({"keys": [...]} expected)');
  }
}
