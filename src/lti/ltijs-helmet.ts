import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import { recordHeaderSteps, replayingHeaders } from '../web/recorded-headers.js';

/** The part of express 4's app internals this reads: its router's layers, each with its handler's name. */
interface RouterLayer {
  name: string;
  handle: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
}

/** The name of the middleware helmet returns (ltijs's own copy, helmet 6). */
const HELMET_MIDDLEWARE = 'helmetMiddleware';

/**
 * ltijs's own express app runs its copy of helmet (frameguard and CSP off) on every request it
 * answers — the login initiation, the launch, its key set — as a chain of eleven middlewares
 * that build and set the same headers each time. Here that middleware runs once, at start-up,
 * on a recording response, and its place in ltijs's app is taken by a replay of what it did:
 * the same headers, in the same order, over examgate's own (security-headers.ts), as before.
 * Without a helmet layer in ltijs's app (an ltijs that no longer has one), start-up fails
 * rather than serve LTI responses with headers nobody checked.
 */
export function replayLtijsHelmet(app: Express): void {
  const stack = (app as unknown as { _router?: { stack?: RouterLayer[] } })._router?.stack ?? [];
  const helmetLayers = stack.filter((layer) => layer.name === HELMET_MIDDLEWARE);
  const layer = helmetLayers[0];
  if (!layer || helmetLayers.length > 1) {
    throw new Error(`expected one ${HELMET_MIDDLEWARE} in ltijs's express app, found ${helmetLayers.length}`);
  }
  layer.handle = replayingHeaders(recordHeaderSteps(layer.handle)) as RouterLayer['handle'];
}
