/** Small helpers shared by the LMS's express routes. */
import type { NextFunction, Request, RequestHandler, Response as ExpressResponse } from 'express';

/** Single string parameter from a parsed query or urlencoded body; repeated parameters are rejected. */
export function stringParam(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) {
    return undefined;
  }
  const value: unknown = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** A positive integer query parameter, or undefined when absent or malformed. */
export function positiveInt(source: unknown, name: string): number | undefined {
  const raw = stringParam(source, name);
  if (raw === undefined || !/^\d+$/.test(raw)) {
    return undefined;
  }
  const value = Number(raw);
  return value > 0 ? value : undefined;
}

/** Express 4 does not catch rejected promises; forward them to the error handler instead. */
export function asyncHandler(handler: (req: Request, res: ExpressResponse) => Promise<void>): RequestHandler {
  return (req: Request, res: ExpressResponse, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}
