import type { Request } from 'express';

/**
 * Whether a POST came from a page of examgate's own origin. Browsers that send
 * `Sec-Fetch-Site` (Chrome, Edge, Firefox, Safari 16.4+) say so directly; older ones are
 * judged by `Origin`, which they send on same-origin posts under examgate's Referrer-Policy
 * (`same-origin`; under `no-referrer` a browser sends `Origin: null` even to its own origin).
 * A request that says neither is not from a browser page of examgate's.
 */
export function postedFromOwnOrigin(req: Request, publicOrigin: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) {
    return site === 'same-origin';
  }
  return req.get('origin') === publicOrigin;
}
