import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import { cspNonce } from './csp-nonce.js';
import { recordHeaderSteps, replayHeaderSteps } from './recorded-headers.js';
import type { FrameAncestors } from './frame-ancestors.js';

/** Stand-ins helmet's policy is built with once; each request puts its own values where they stand. */
const FRAME_ANCESTORS_SLOT = 'examgate-frame-ancestors-slot';
const NONCE_SLOT = 'examgate-nonce-slot';

/** examgate's choices among helmet's headers, with stand-ins for the policy's two changing values. */
const HELMET_OPTIONS: HelmetOptions = {
  // Pages must load inside the LMS iframe, but only inside a registered platform's.
  frameguard: false,
  // No Referer leaves examgate's origin; within it, browsers then also send Origin on posts
  // (under no-referrer they send Origin: null), which web/same-origin.ts relies on.
  referrerPolicy: { policy: 'same-origin' },
  contentSecurityPolicy: {
    directives: {
      'frame-ancestors': ["'self'", FRAME_ANCESTORS_SLOT],
      'script-src': ["'self'", `'nonce-${NONCE_SLOT}'`],
      // Deep-linking responses and the new-window login post forms to the LMS / login URL.
      'form-action': null,
    },
  },
};

/**
 * Refuses what helmet refuses in a policy value: a `;` or `,` would end the directive and let
 * the value write directives of its own (a platform's origin is read from its issuer URL).
 */
function checkedValue(directive: string, value: string): string {
  if (/[;,]/.test(value)) {
    throw new Error(`Content-Security-Policy received an invalid directive value for "${directive}"`);
  }
  return value;
}

/**
 * helmet's headers on every response, worked out once instead of per request: helmet runs at
 * start-up on a recording response, with stand-ins for the two values that change (the CSP
 * nonce, new for every response, and the origins allowed to frame examgate, which change when
 * a platform does). A request then sets the recorded headers and the policy with its own two
 * values spliced in, which is the header helmet would have written, without its eleven
 * middlewares and its per-request policy building.
 */
export function securityHeaders(frameAncestors: Pick<FrameAncestors, 'fresh' | 'current'>): RequestHandler {
  const steps = recordHeaderSteps(helmet(HELMET_OPTIONS));
  const policyStep = steps.find((s) => 'set' in s && s.set === 'Content-Security-Policy') as { set: string; value: string } | undefined;
  const [beforeAncestors, rest] = policyStep?.value.split(FRAME_ANCESTORS_SLOT) ?? [];
  const [beforeNonce, afterNonce] = rest?.split(NONCE_SLOT) ?? [];
  if (beforeAncestors === undefined || beforeNonce === undefined || afterNonce === undefined) {
    throw new Error('helmet wrote no Content-Security-Policy with frame-ancestors before script-src');
  }
  const fixed = steps.filter((s) => s !== policyStep);
  // The origins change rarely (FrameAncestors hands out the same list until it reloads): joined and checked once per list.
  let joinedFor: readonly string[] | null = null;
  let joined = '';
  const policy = (origins: readonly string[], nonce: string) => {
    if (origins !== joinedFor) {
      joined = checkedValue('frame-ancestors', origins.join(' '));
      joinedFor = origins;
    }
    return `${beforeAncestors}${joined}${beforeNonce}${nonce}${afterNonce}`;
  };
  const apply = (res: Response, origins: readonly string[], next: NextFunction) => {
    const nonce = cspNonce();
    res.locals.cspNonce = nonce;
    replayHeaderSteps(res, fixed);
    try {
      res.setHeader('Content-Security-Policy', policy(origins, nonce));
    } catch (err) {
      next(err);
      return;
    }
    next();
  };
  return (_req: Request, res: Response, next: NextFunction) => {
    const origins = frameAncestors.fresh();
    if (origins) {
      apply(res, origins, next);
      return;
    }
    frameAncestors.current().then((loaded) => apply(res, loaded, next), next);
  };
}
