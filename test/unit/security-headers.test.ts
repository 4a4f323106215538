import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import helmet from 'helmet';
import { securityHeaders } from '../../src/web/security-headers.js';

/** Origins as FrameAncestors hands them out: `now` without waiting (null before the first load), else `load`. */
function frameAncestorsOf(now: string[] | null | (() => string[]), load: () => Promise<string[]>) {
  return { fresh: () => (typeof now === 'function' ? now() : now), current: load };
}

/** A response that keeps only what middleware does to its headers and locals. */
function recordingResponse() {
  const headers = new Map<string, string>([['x-powered-by', 'Express']]);
  const res = {
    locals: {} as Record<string, unknown>,
    setHeader(name: string, value: string | number) {
      headers.set(name.toLowerCase(), String(value));
      return res;
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
  };
  return { res, headers };
}

/** The middleware once; what it passed to next() and the headers it left. */
async function run(handler: ReturnType<typeof securityHeaders>) {
  const { res, headers } = recordingResponse();
  const passed = await new Promise<unknown>((resolve) => {
    handler({} as Request, res as unknown as Response, resolve);
  });
  return { passed, headers, nonce: res.locals.cspNonce as string };
}

/** helmet itself, configured as examgate configured it per request before the headers were worked out once. */
function helmetPerRequest(nonce: string, origins: string[]): Map<string, string> {
  const { res, headers } = recordingResponse();
  res.locals = { cspNonce: nonce, frameAncestors: origins };
  helmet({
    frameguard: false,
    referrerPolicy: { policy: 'same-origin' },
    contentSecurityPolicy: {
      directives: {
        'frame-ancestors': ["'self'", (_req, r) => ((r as unknown as Response).locals.frameAncestors as string[]).join(' ')],
        'script-src': ["'self'", (_req, r) => `'nonce-${String((r as unknown as Response).locals.cspNonce)}'`],
        'form-action': null,
      },
    },
  })({} as IncomingMessage, res as unknown as ServerResponse, () => undefined);
  return headers;
}

describe('security headers, worked out once', () => {
  it('when a response goes out, then it carries exactly the headers helmet would have set for its nonce and origins', async () => {
    const origins = ['https://lms.example.edu', 'https://*.instructure.com'];
    const { passed, headers, nonce } = await run(securityHeaders(frameAncestorsOf(origins, () => Promise.reject(new Error('not needed')))));
    expect(passed).to.equal(undefined);
    expect(nonce).to.match(/^[A-Za-z0-9+/]{22}==$/);
    expect(Object.fromEntries(headers)).to.deep.equal(Object.fromEntries(helmetPerRequest(nonce, origins)));
    expect(headers.get('content-security-policy')).to.contain(`frame-ancestors 'self' ${origins.join(' ')};`);
    expect(headers.get('content-security-policy')).to.contain(`script-src 'self' 'nonce-${nonce}';`);
    expect(headers.get('content-security-policy')).not.to.contain('form-action');
    expect(headers.has('x-powered-by')).to.equal(false);
  });

  it('when several responses go out, then each has a nonce of its own, and a new list of origins shows at once', async () => {
    let origins = ['https://a.example'];
    const handler = securityHeaders(
      frameAncestorsOf(
        () => origins,
        () => Promise.reject(new Error('not needed')),
      ),
    );
    const first = await run(handler);
    const second = await run(handler);
    expect(first.nonce).not.to.equal(second.nonce);
    expect(second.headers.get('content-security-policy')).to.contain(`'nonce-${second.nonce}'`);
    origins = ['https://b.example'];
    const third = await run(handler);
    expect(third.headers.get('content-security-policy')).to.contain("frame-ancestors 'self' https://b.example;");
    expect(Object.fromEntries(third.headers)).to.deep.equal(Object.fromEntries(helmetPerRequest(third.nonce, origins)));
  });

  it('when the origins were never loaded, then the response waits for them, and a failed load goes to the error handler', async () => {
    const loaded = await run(securityHeaders(frameAncestorsOf(null, () => Promise.resolve(['https://late.example']))));
    expect(loaded.passed).to.equal(undefined);
    expect(loaded.headers.get('content-security-policy')).to.contain("frame-ancestors 'self' https://late.example;");
    const failure = new Error('database down');
    const failed = await run(securityHeaders(frameAncestorsOf(null, () => Promise.reject(failure))));
    expect(failed.passed).to.equal(failure);
  });

  it('when an origin would end the directive (a ; or a , in it), then the response is refused as helmet refused it', async () => {
    for (const origin of ['https://evil.example; script-src *', 'https://a.example,b']) {
      const { passed, headers } = await run(securityHeaders(frameAncestorsOf([origin], () => Promise.reject(new Error('not needed')))));
      expect(passed, origin).to.be.instanceOf(Error);
      expect((passed as Error).message).to.contain('frame-ancestors');
      expect(headers.has('content-security-policy')).to.equal(false);
    }
  });
});
