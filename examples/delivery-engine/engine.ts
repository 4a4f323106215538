import cookieParser from 'cookie-parser';
import express from 'express';
import type { Express } from 'express';
import { deliveryRoutes } from './delivery-routes.js';
import { HandoffVerifier } from './handoff-verifier.js';
import { JwksCache } from './jwks-cache.js';
import { loadEngineKeys } from './keys.js';
import type { JsonWebKeySet } from './keys.js';
import { ReplayStore } from './replay-store.js';
import { ReportClient } from './report-client.js';
import { SessionStore } from './session-store.js';
import { createViews } from './views.js';
import { errorHandler, notFound, securityHeaders } from './web.js';

export interface DeliveryEngineOptions {
  /** examgate's public URL: the hand-off's `iss`, the reports' `aud`, and where its JWKS lives. */
  examgateUrl: string;
  /** The delivery URL: the engine's origin plus the path the hand-off is posted to ("/" by default). */
  publicUrl: string;
  /** The engine's RSA signing key; a fresh one is generated when absent. */
  privateKeyPem?: string;
  /** Allowed clock skew for exp/iat, in seconds (default 5). */
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
  /** Where unexpected errors are logged (default: console.error). */
  log?: (err: unknown) => void;
}

export interface DeliveryEngine {
  /** Mount-ready: serves `/.well-known/jwks.json` and the delivery pages under the public URL's path. */
  app: Express;
  jwks(): JsonWebKeySet;
  /** Forgets sessions and used hand-offs. */
  close(): void;
}

/** Builds the sample delivery engine; it never listens itself (see server.ts). */
export function createDeliveryEngine(options: DeliveryEngineOptions): DeliveryEngine {
  const examgateUrl = httpUrl(options.examgateUrl, 'examgateUrl').href.replace(/\/+$/, '');
  const publicUrl = httpUrl(options.publicUrl, 'publicUrl');
  const mountPath = publicUrl.pathname.replace(/\/+$/, '') || '/';
  const fetchFn = options.fetch ?? globalThis.fetch;
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
  const keys = loadEngineKeys(options.privateKeyPem);
  const replays = new ReplayStore();
  const sessions = new SessionStore();
  const views = createViews();

  const verifier = new HandoffVerifier({
    examgateUrl,
    audience: publicUrl.origin,
    clockToleranceSeconds,
    keys: new JwksCache({ url: `${examgateUrl}/.well-known/jwks.json`, fetch: fetchFn }),
    replays,
  });
  const reports = new ReportClient({ keys, issuer: publicUrl.origin, audience: examgateUrl, fetch: fetchFn });

  const app = express();
  app.disable('x-powered-by');
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(keys.jwks());
  });
  app.use(securityHeaders, cookieParser());
  app.use(mountPath, deliveryRoutes({ verifier, reports, sessions, views, mountPath, secureCookies: publicUrl.protocol === 'https:' }));
  app.use(notFound);
  app.use(errorHandler(views, options.log ?? ((err) => console.error('delivery engine:', err))));

  return {
    app,
    jwks: () => keys.jwks(),
    close: () => {
      sessions.clear();
      replays.clear();
    },
  };
}

function httpUrl(value: string, name: string): URL {
  if (!URL.canParse(value)) {
    throw new Error(`${name} must be an absolute URL, got "${value}"`);
  }
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  }
  return url;
}
