import type { Request, RequestHandler } from 'express';
import { throttleAddressKey } from '../throttle/throttle-address.js';
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
    const keyed = rules.flatMap(({ rule, key }): Keyed[] => {
      const value = key(req);
      return value === null ? [] : [{ rule, key: value }];
    });
    throttle.count(...keyed).then(() => next(), next);
  };
}
