import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';

/** What a header middleware does to a response: a header set, or one removed (X-Powered-By), in its order. */
export type HeaderStep = { set: string; value: string } | { remove: string };

/**
 * Runs a middleware that only sets and removes headers (helmet) once, on a response that
 * records what is done to it, so a request can then replay the steps instead of running it.
 * It must not read the request: it gets an empty one.
 */
export function recordHeaderSteps(
  middleware: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void,
): HeaderStep[] {
  const steps: HeaderStep[] = [];
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      steps.push({ set: name, value: String(value) });
    },
    removeHeader(name: string) {
      steps.push({ remove: name });
    },
  };
  let failed: unknown = null;
  let passed = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    failed = err ?? null;
    passed = true;
  });
  if (failed) {
    throw failed instanceof Error ? failed : new Error(String(failed));
  }
  if (!passed) {
    throw new Error('the header middleware did not pass the request on at once: it cannot be recorded');
  }
  return steps;
}

/** Does to `res` what the recorded middleware did. */
export function replayHeaderSteps(res: Response, steps: readonly HeaderStep[]): void {
  for (const step of steps) {
    if ('set' in step) {
      res.setHeader(step.set, step.value);
    } else {
      res.removeHeader(step.remove);
    }
  }
}

/** A middleware that replays `steps` and passes the request on. */
export function replayingHeaders(steps: readonly HeaderStep[]): RequestHandler {
  return (_req, res, next) => {
    replayHeaderSteps(res, steps);
    next();
  };
}
