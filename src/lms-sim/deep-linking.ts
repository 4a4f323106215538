/**
 * The platform side of Deep Linking 2.0: receives the tool's signed
 * LtiDeepLinkingResponse and shows what was picked.
 * @see https://www.imsglobal.org/spec/lti-dl/v2p0#deep-linking-response-message
 */
import type { Request, Response as ExpressResponse } from 'express';
import { CLAIM_DEPLOYMENT_ID, CLAIM_DL_CONTENT_ITEMS, CLAIM_DL_DATA, CLAIM_DL_MSG, CLAIM_MESSAGE_TYPE, CLAIM_VERSION } from './claims.js';
import { escapeHtml, htmlPage } from './html.js';
import { stringParam } from './http-util.js';
import { verifyRemoteJwt } from './jwt.js';
import type { LmsState } from './state.js';

/** Checks the LTI-specific claims after the signature and iss/aud are verified; returns a reason or null. */
function claimProblem(state: LmsState, claims: Record<string, unknown>): string | null {
  if (claims[CLAIM_MESSAGE_TYPE] !== 'LtiDeepLinkingResponse') {
    return 'message_type must be LtiDeepLinkingResponse';
  }
  if (claims[CLAIM_VERSION] !== '1.3.0') {
    return 'version must be 1.3.0';
  }
  const deployment = claims[CLAIM_DEPLOYMENT_ID];
  if (typeof deployment !== 'string' || !state.deployments.has(deployment)) {
    return 'unknown deployment_id';
  }
  // data is opaque to the tool; when present it must be a value this LMS issued.
  const data = claims[CLAIM_DL_DATA];
  if (data !== undefined && (typeof data !== 'string' || !state.deepLinkData.has(data))) {
    return 'data does not match a deep linking request';
  }
  const items = claims[CLAIM_DL_CONTENT_ITEMS];
  if (items !== undefined && !Array.isArray(items)) {
    return 'content_items must be an array';
  }
  return null;
}

function itemTitles(claims: Record<string, unknown>): string[] {
  const items = claims[CLAIM_DL_CONTENT_ITEMS];
  if (!Array.isArray(items)) {
    return [];
  }
  return items.map((item: unknown) => {
    if (typeof item !== 'object' || item === null) {
      return '(invalid item)';
    }
    const { title, type } = item as Record<string, unknown>;
    return typeof title === 'string' ? title : `(untitled ${String(type)})`;
  });
}

function resultPage(claims: Record<string, unknown>, coursePageUrl: string): string {
  const titles = itemTitles(claims);
  const list = titles.map((t) => `<li>${escapeHtml(t)}</li>`).join('');
  const msg = claims[CLAIM_DL_MSG];
  const note = typeof msg === 'string' ? `<p class="msg">${escapeHtml(msg)}</p>` : '';
  const summary = titles.length > 0 ? `<ul class="content-items">${list}</ul>` : '<p>No content items were returned.</p>';
  const back = `<p><a href="${escapeHtml(coursePageUrl)}">Back to the course page</a></p>`;
  return htmlPage('Deep linking result', `<h1>Deep linking result</h1>${note}${summary}${back}`);
}

/** Express handler for POST /deep-link-return. */
export function deepLinkReturn(state: LmsState) {
  return async (req: Request, res: ExpressResponse): Promise<void> => {
    const token = stringParam(req.body, 'JWT');
    const tool = state.tool;
    if (!token || !tool) {
      res
        .status(400)
        .type('text/plain')
        .send(token ? 'no tool is registered' : 'form field JWT is required');
      return;
    }
    let claims: Record<string, unknown>;
    try {
      claims = await verifyRemoteJwt(token, {
        jwksUrl: tool.jwksUrl,
        issuer: state.config.clientId,
        audience: state.config.issuer,
        fetch: state.config.fetch,
      });
    } catch (error) {
      res
        .status(400)
        .type('text/plain')
        .send(`JWT rejected: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const problem = claimProblem(state, claims);
    if (problem) {
      res.status(400).type('text/plain').send(`JWT rejected: ${problem}`);
      return;
    }
    state.deepLinkResponses.push({ claims });
    res
      .status(200)
      .type('text/html')
      .send(resultPage(claims, state.url('/')));
  };
}
