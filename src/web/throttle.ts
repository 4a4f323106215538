import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { deferCount, PendingCount } from '../throttle/pending-count.js';
import { throttleAddressKey } from '../throttle/throttle-address.js';
import { ThrottledError } from '../throttle/throttle.errors.js';
import type { Keyed, ThrottleRule, ThrottleService } from '../throttle/throttle.service.js';

/** A rule and how to read its key from a request (null: the rule does not apply to it). */
export interface RequestRule {
  rule: ThrottleRule;
  key: (req: Request) => string | null;
}

/**
 * The client's address as express sees it (trust proxy decides whether X-Forwarded-For counts),
 * as the throttle keys it: IPv6 by its /64, IPv4-mapped addresses as plain IPv4.
 */
export const clientAddress = (req: Request): string => throttleAddressKey(req.ip ?? req.socket.remoteAddress ?? 'unknown');

/**
 * Counts every request against each rule in one statement; over a limit, the request goes to
 * the error handler as ThrottledError (429, Retry-After, a page saying when to try again).
 */
export function throttleRequests(throttle: ThrottleService, rules: RequestRule[]): RequestHandler {
  return (req, _res, next) => {
    throttle.count(...keyedFor(req, rules)).then(() => next(), next);
  };
}

/**
 * As throttleRequests, except that a request for the mount path itself (the LTI login
 * initiation) leaves its count to the handler that answers it (throttle/pending-count.ts),
 * which counts in the statement that records the login. The handler takes the count before
 * every answer it gives; should a request still end without it (ltijs's own answer to an
 * error inside it), it is counted once its answer is sent, so no request goes uncounted.
 */
export function throttleRequestsWhereAnswered(throttle: ThrottleService, rules: RequestRule[], log: Logger): RequestHandler {
  const countedUpFront = throttleRequests(throttle, rules);
  return (req, res, next) => {
    if (req.path !== '/') {
      countedUpFront(req, res, next);
      return;
    }
    const pending = new PendingCount(throttle, keyedFor(req, rules));
    deferCount(res.locals, pending);
    // 'close' comes after every answer, and also when the client went away before one.
    res.on('close', () => {
      if (!pending.taken) {
        pending.take().catch((err: unknown) => {
          // Over the limit is the count doing its job; the next request is refused.
          if (!(err instanceof ThrottledError)) {
            log.warn({ err, path: req.originalUrl.split('?')[0] }, 'throttle count after the answer failed');
          }
        });
      }
    });
    next();
  };
}

function keyedFor(req: Request, rules: RequestRule[]): Keyed[] {
  return rules.flatMap(({ rule, key }): Keyed[] => {
    const value = key(req);
    return value === null ? [] : [{ rule, key: value }];
  });
}
