/**
 * The OIDC authorization endpoint of the platform (LTI 1.3 core §5.1.1,
 * LTI Security §5.1.1.2-3): checks the tool's authentication request and
 * answers with a form_post page carrying the signed id_token.
 */
import type { Request, Response as ExpressResponse } from 'express';
import { CLAIM_DL_SETTINGS } from './claims.js';
import { autoPostPage } from './html.js';
import { stringParam } from './http-util.js';
import { buildLaunchClaims, DEFAULT_CONTEXT, deepLinkingSettings, signIdToken } from './id-token.js';
import type { LmsState, PendingLaunch } from './state.js';
import type { ToolEndpoints } from './types.js';

interface AuthRequest {
  hint: string;
  launch: PendingLaunch;
  redirectUri: string;
  nonce: string;
  state: string;
}

type Checked = { ok: true; auth: AuthRequest } | { ok: false; reason: string };

/** Registered redirect URIs are compared without query or fragment, since tools may decorate them. */
function withoutQuery(uri: string): string | null {
  try {
    const url = new URL(uri);
    return `${url.origin}${url.pathname}`;
  } catch {
    return null;
  }
}

/** The parameters whose value LTI fixes (core §5.1.1.1), plus our client_id. */
function fixedParamProblem(p: (name: string) => string | undefined, clientId: string): string | null {
  const fixed: Array<[string, string]> = [
    ['scope', 'openid'],
    ['response_type', 'id_token'],
    ['response_mode', 'form_post'],
    ['prompt', 'none'],
    ['client_id', clientId],
  ];
  for (const [name, expected] of fixed) {
    if (p(name) !== expected) {
      return `${name} must be ${expected}, got ${p(name) ?? '(missing)'}`;
    }
  }
  return null;
}

/** The id_token may only go to a redirect URI registered for the tool (LTI Security §5.1.1.3). */
function redirectProblem(tool: ToolEndpoints | null, redirectUri: string): string | null {
  const registered = [tool?.launchUrl, tool?.deepLinkingUrl].flatMap((u) => (u ? [withoutQuery(u)] : []));
  if (registered.includes(withoutQuery(redirectUri) ?? '\0')) {
    return null;
  }
  return `redirect_uri ${redirectUri || '(missing)'} is not registered for this tool`;
}

function checkAuthRequest(state: LmsState, params: unknown): Checked {
  const p = (name: string): string | undefined => stringParam(params, name);
  const redirectUri = p('redirect_uri') ?? '';
  const problem = fixedParamProblem(p, state.config.clientId) ?? redirectProblem(state.tool, redirectUri);
  if (problem) {
    return { ok: false, reason: problem };
  }
  const hint = p('lti_message_hint') ?? '';
  const launch = state.pending.get(hint);
  if (!launch) {
    return { ok: false, reason: 'lti_message_hint does not identify a pending launch' };
  }
  if (p('login_hint') !== launch.loginHint) {
    return { ok: false, reason: 'login_hint does not match the launch' };
  }
  const nonce = p('nonce');
  const stateParam = p('state');
  if (!nonce || !stateParam) {
    return { ok: false, reason: `${nonce ? 'state' : 'nonce'} is required` };
  }
  return { ok: true, auth: { hint, launch, redirectUri, nonce, state: stateParam } };
}

function issueIdToken(state: LmsState, auth: AuthRequest): string {
  const { request } = auth.launch;
  const claims = buildLaunchClaims({
    config: state.config,
    request,
    nonce: auth.nonce,
    targetLinkUri: auth.launch.targetLinkUri,
  });
  if (request.messageType === 'LtiDeepLinkingRequest') {
    const settings = deepLinkingSettings(state.config);
    state.deepLinkData.add(String(settings.data));
    claims[CLAIM_DL_SETTINGS] = settings;
  }
  const context = request.context === undefined ? DEFAULT_CONTEXT : request.context;
  if (context) {
    state.rememberContext(context);
  }
  state.deployments.add(request.deploymentId ?? state.config.deploymentId);
  return signIdToken(claims, state.key, request.tamper);
}

/** Express handler for GET and POST /auth. */
export function authorizationEndpoint(state: LmsState) {
  return (req: Request, res: ExpressResponse): void => {
    const params: unknown = req.method === 'POST' ? req.body : req.query;
    const checked = checkAuthRequest(state, params);
    if (!checked.ok) {
      res.status(400).type('text/plain').send(checked.reason);
      return;
    }
    // Moodle-like: consumed before signing, so a second authentication request for the same launch fails.
    // Canvas-like: the hint stays valid until it expires, and every request is answered with an id_token.
    if (state.config.messageHint === 'single-use') {
      state.pending.delete(checked.auth.hint);
    }
    const idToken = issueIdToken(state, checked.auth);
    const fields: Record<string, string> = { id_token: idToken, state: checked.auth.state };
    // Canvas repeats lti_storage_target in the form post, so the launch page knows where platform storage is.
    if (state.config.platformStorage) {
      fields.lti_storage_target = state.config.platformStorage.target;
    }
    res.set('Cache-Control', 'no-store');
    res.status(200).type('text/html').send(autoPostPage(checked.auth.redirectUri, fields));
  };
}
