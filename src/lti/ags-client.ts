import type { Platform } from '../platforms/platform.js';
import { SCOPE, type ServiceTokens } from './service-token.js';

/** https://www.imsglobal.org/spec/lti-ags/v2p0#media-types-and-schemas */
const MEDIA = {
  lineItem: 'application/vnd.ims.lis.v2.lineitem+json',
  lineItems: 'application/vnd.ims.lis.v2.lineitemcontainer+json',
  score: 'application/vnd.ims.lis.v1.score+json',
} as const;
const TIMEOUT_MS = 15_000;

export interface ScoreTarget {
  /** The line item the launch named (resource links placed with a line item carry one). */
  lineItemUrl: string | null;
  /** The context's line items: used to find or create this resource link's own line item. */
  lineItemsUrl: string | null;
  resourceLinkId: string;
  label: string;
}

export class GradeServiceError extends Error {
  constructor(
    message: string,
    /** True when another try cannot help (the LMS refused the request, or offers no gradebook). */
    readonly permanent = true,
    /** The LMS's HTTP status, when it answered. */
    readonly status: number | null = null,
  ) {
    super(message);
    this.name = 'GradeServiceError';
  }
}

async function call(url: string, token: string, init: { method: string; accept: string; contentType?: string; body?: unknown }) {
  const what = `${init.method} ${new URL(url).pathname}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: init.accept,
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new GradeServiceError(
      timedOut
        ? `The LMS gradebook did not answer ${what} within ${TIMEOUT_MS / 1000} s.`
        : `The LMS gradebook could not be reached (${what}).`,
      false,
    );
  }
  if (!response.ok) {
    // 5xx and 429 are passing trouble at the LMS: worth another try. Other refusals will not change.
    const passing = response.status >= 500 || response.status === 429;
    throw new GradeServiceError(`The LMS gradebook answered HTTP ${response.status} to ${what}.`, !passing, response.status);
  }
  return response;
}

/** The resource link's line item: the one the launch named, else one found or made by resource link id. */
async function lineItemFor(target: ScoreTarget, token: string): Promise<string> {
  if (target.lineItemUrl) {
    return target.lineItemUrl;
  }
  if (!target.lineItemsUrl) {
    throw new GradeServiceError('The LMS offered no gradebook service for this link.');
  }
  const list = new URL(target.lineItemsUrl);
  list.searchParams.set('resource_link_id', target.resourceLinkId);
  const found = (await (await call(list.toString(), token, { method: 'GET', accept: MEDIA.lineItems })).json()) as Array<{ id?: unknown }>;
  const existing = Array.isArray(found) ? found.find((item) => typeof item.id === 'string') : undefined;
  if (existing) {
    return existing.id as string;
  }
  const created = (await (
    await call(target.lineItemsUrl, token, {
      method: 'POST',
      accept: MEDIA.lineItem,
      contentType: MEDIA.lineItem,
      body: { label: target.label, scoreMaximum: 100, resourceLinkId: target.resourceLinkId },
    })
  ).json()) as { id?: unknown };
  if (typeof created.id !== 'string') {
    throw new GradeServiceError('The LMS created a line item without an id.');
  }
  return created.id;
}

/** Posts a finished attempt's score to the LMS gradebook (Assignment and Grade Services 2.0). */
export const createScorePoster =
  (tokens: ServiceTokens) =>
  async (
    platform: Pick<Platform, 'issuer' | 'clientId'>,
    target: ScoreTarget,
    userId: string,
    score: { given: number; maximum: number },
    at: Date,
  ): Promise<void> => {
    const scope = `${SCOPE.agsLineItem} ${SCOPE.agsScore}`;
    const post = async (token: string) => {
      const lineItem = await lineItemFor(target, token);
      const url = new URL(lineItem);
      url.pathname = `${url.pathname.replace(/\/$/, '')}/scores`;
      await call(url.toString(), token, {
        method: 'POST',
        accept: 'application/json',
        contentType: MEDIA.score,
        body: {
          userId,
          scoreGiven: score.given,
          scoreMaximum: score.maximum,
          activityProgress: 'Completed',
          gradingProgress: 'FullyGraded',
          timestamp: at.toISOString(),
        },
      });
    };
    const token = await tokens.get(platform, scope);
    try {
      await post(token);
    } catch (err) {
      if (!(err instanceof GradeServiceError && err.status === 401)) {
        throw err;
      }
      // The cached token was refused (revoked, or the LMS's clock differs): once more with a fresh one.
      tokens.refused(platform, scope, token);
      await post(await tokens.get(platform, scope));
    }
  };
