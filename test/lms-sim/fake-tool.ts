/**
 * A deliberately small LTI tool used only to exercise the simulated LMS: it
 * does the login initiation, keeps state in a cookie, and verifies the
 * id_token against the LMS JWKS with jsonwebtoken pinned to RS256.
 */
import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Request, Response as ExpressResponse } from 'express';
import jwt from 'jsonwebtoken';
import type { SimulatedLms } from '../../src/lms-sim/index.js';

export interface FakeTool {
  baseUrl: string;
  endpoints: { loginUrl: string; launchUrl: string; jwksUrl: string; deepLinkingUrl: string };
  /** Every id_token POSTed to the launch URL, verified or not. */
  received: string[];
  /** Claims of the launches that passed verification. */
  launches: Array<Record<string, unknown>>;
  /** Nonces awaiting their launch, by state. */
  nonces: Map<string, string>;
  /** Every nonce the tool ever sent to the LMS. */
  sentNonces: string[];
  /** Signs a JWT with the tool's key (kid in the header), as for client assertions. */
  sign(claims: Record<string, unknown>, options?: jwt.SignOptions): string;
  close(): Promise<void>;
}

const TOOL_KID = 'fake-tool-key';

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      return rest.join('=');
    }
  }
  return undefined;
}

async function lmsKey(lms: SimulatedLms, kid: unknown): Promise<KeyObject> {
  const body = (await (await fetch(lms.jwksUrl)).json()) as { keys: Array<{ kid: string; n: string; e: string }> };
  const jwk = body.keys.find((k) => k.kid === kid);
  if (!jwk) {
    throw new Error(`unknown kid ${String(kid)}`);
  }
  return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
}

/** Login initiation: remember state+nonce, set the state cookie, send the browser to the LMS. */
function loginHandler(lms: SimulatedLms, tool: FakeTool) {
  return (req: Request, res: ExpressResponse): void => {
    const q = req.query as Record<string, string | undefined>;
    const state = randomBytes(8).toString('hex');
    const nonce = randomBytes(8).toString('hex');
    tool.nonces.set(state, nonce);
    tool.sentNonces.push(nonce);
    const params: Record<string, string | undefined> = {
      scope: 'openid',
      response_type: 'id_token',
      response_mode: 'form_post',
      prompt: 'none',
      client_id: q.client_id,
      redirect_uri: q.target_link_uri,
      login_hint: q.login_hint,
      lti_message_hint: q.lti_message_hint,
      nonce,
      state,
    };
    const auth = new URL(lms.authUrl);
    for (const [name, value] of Object.entries(params)) {
      if (value !== undefined) {
        auth.searchParams.set(name, value);
      }
    }
    res.cookie('lti_state', state, { httpOnly: true }).redirect(302, auth.toString());
  };
}

/** Launch: state cookie must match, id_token must verify (RS256 only) and carry the nonce, once. */
function launchHandler(lms: SimulatedLms, tool: FakeTool) {
  return async (req: Request, res: ExpressResponse): Promise<void> => {
    const body = req.body as Record<string, string | undefined>;
    const idToken = body.id_token ?? '';
    tool.received.push(idToken);
    if (cookieValue(req, 'lti_state') !== body.state) {
      res.status(401).send('state cookie missing or mismatched');
      return;
    }
    const nonce = tool.nonces.get(body.state ?? '');
    tool.nonces.delete(body.state ?? '');
    try {
      const key = await lmsKey(lms, jwt.decode(idToken, { complete: true })?.header.kid);
      const claims = jwt.verify(idToken, key, { algorithms: ['RS256'], audience: lms.clientId, issuer: lms.issuer });
      if (typeof claims !== 'object' || claims.nonce !== nonce) {
        throw new Error('nonce mismatch or reused');
      }
      tool.launches.push(claims);
    } catch (error) {
      res.status(401).send(`id_token rejected: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    res.clearCookie('lti_state').redirect(302, '/app');
  };
}

/** Starts the fake tool on 127.0.0.1 and registers it with `lms`. */
export async function startFakeTool(lms: SimulatedLms): Promise<FakeTool> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = express();
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tool: FakeTool = {
    baseUrl,
    endpoints: {
      loginUrl: `${baseUrl}/login`,
      launchUrl: `${baseUrl}/launch`,
      jwksUrl: `${baseUrl}/jwks`,
      deepLinkingUrl: `${baseUrl}/deep-link`,
    },
    received: [],
    launches: [],
    nonces: new Map(),
    sentNonces: [],
    sign: (claims, options = {}) => jwt.sign(claims, privateKey, { algorithm: 'RS256', keyid: TOOL_KID, ...options }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  const launch = launchHandler(lms, tool);
  app.get('/jwks', (_req, res) => {
    res.json({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: TOOL_KID, alg: 'RS256', use: 'sig' }] });
  });
  app.get('/login', loginHandler(lms, tool));
  app.post(['/launch', '/deep-link'], express.urlencoded({ extended: false }), (req, res, next) => {
    launch(req, res).catch(next);
  });
  app.get('/app', (_req, res) => {
    res.type('text/plain').send('tool app');
  });
  lms.configureTool(tool.endpoints);
  return tool;
}
