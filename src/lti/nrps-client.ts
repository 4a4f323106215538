import type { RosterMember, RosterSource } from '../candidates/roster.js';
import { RosterUnavailableError } from '../candidates/roster.js';
import type { Platform } from '../platforms/platform.js';
import { SCOPE, ServiceTokenError, type ServiceTokens } from './service-token.js';

/** https://www.imsglobal.org/spec/lti-nrps/v2p0#membership-container-media-type */
const MEMBERSHIP_MEDIA_TYPE = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
const MAX_PAGES = 2_000;

/** Which LMS setting turns the roster service on, named for the instructor to pass on. */
function enableAdvice(preset: Platform['preset']): string {
  const moodle =
    'In Moodle: Site administration › Plugins › Activity modules › External tool › Manage tools › examgate › ' +
    'Services › "IMS LTI Names and Role Provisioning": "Use this service to retrieve members\' information as per privacy settings".';
  const canvas =
    'In Canvas: Admin › Developer Keys › examgate › enable the scope "Can retrieve user data associated with the context ' +
    'the tool is installed in", and make sure the key is On.';
  if (preset === 'moodle') {
    return moodle;
  }
  return preset === 'canvas' ? canvas : `${moodle} ${canvas}`;
}

/** The URL of the next page from an RFC 8288 Link header, if any. */
export function nextLink(header: string | null): string | null {
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (m?.[1] && /(^|;)\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2] ?? '')) {
      return m[1];
    }
  }
  return null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function toMember(raw: unknown): RosterMember {
  const m = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const name = text(m.name) ?? ([text(m.given_name), text(m.family_name)].filter(Boolean).join(' ') || null);
  const status = m.status === 'Inactive' || m.status === 'Deleted' ? m.status : 'Active';
  return {
    userId: typeof m.user_id === 'string' ? m.user_id : typeof m.user_id === 'number' ? String(m.user_id) : '',
    roles: Array.isArray(m.roles) ? m.roles.filter((r): r is string => typeof r === 'string') : [],
    status,
    name,
    email: text(m.email),
    sisId: text(m.lis_person_sourcedid),
  };
}

function firstPageUrl(nrpsUrl: string, pageSize: number): string {
  const url = new URL(nrpsUrl);
  // Moodle loads the whole course for every page and slices it, so each request costs the same whatever its
  // size: big pages mean few requests. Canvas caps pages at 50 whatever we ask, and its Link headers page on.
  if (!url.searchParams.has('limit')) {
    url.searchParams.set('limit', String(pageSize));
  }
  return url.toString();
}

export interface NrpsSettings {
  /** Members asked for per page (`limit`); the LMS may answer with fewer. */
  pageSize: number;
  pageTimeoutMs: number;
}

/**
 * Reads a whole course roster through Names and Role Provisioning Services, following every
 * rel="next" link (ltijs's getMembers would stop after one page unless told otherwise).
 */
export function createNrpsRosterSource(
  platformById: (id: string) => Promise<Platform>,
  tokens: ServiceTokens,
  settings: NrpsSettings,
): RosterSource {
  return {
    async fetchRoster(course, onProgress) {
      const platform = await platformById(course.platformId);
      const tokenFor = async () => {
        try {
          return await tokens.get(platform, SCOPE.nrps);
        } catch (err) {
          if (err instanceof ServiceTokenError && err.permanent) {
            throw new RosterUnavailableError('disabled', `${err.message} ${enableAdvice(platform.preset)}`);
          }
          if (err instanceof ServiceTokenError) {
            throw new RosterUnavailableError('failed', `${err.message} Nothing was changed. Try again later.`);
          }
          throw err;
        }
      };
      let token = await tokenFor();
      const members: RosterMember[] = [];
      const visited = new Set<string>();
      let url: string | null = firstPageUrl(course.nrpsUrl, settings.pageSize);
      for (let page = 1; url; page += 1) {
        if (visited.has(url) || page > MAX_PAGES) {
          throw new RosterUnavailableError(
            'failed',
            `The LMS's roster pages loop back on themselves at page ${page}; nothing was changed.`,
          );
        }
        visited.add(url);
        let body = await fetchPage(url, token, page, settings.pageTimeoutMs);
        if (body === 'unauthorized') {
          // A cached token the LMS no longer takes (revoked, or its clock differs): one fresh token, the same page again.
          tokens.refused(platform, SCOPE.nrps, token);
          token = await tokenFor();
          body = await fetchPage(url, token, page, settings.pageTimeoutMs);
        }
        if (body === 'unauthorized' || 'refused' in body) {
          throw refusal(body === 'unauthorized' ? 401 : body.refused, page, platform.preset);
        }
        members.push(...body.members.map(toMember));
        onProgress(members.length);
        // The bearer token goes only to the roster service's own origin, whatever a Link header says.
        if (body.next && new URL(body.next).origin !== new URL(course.nrpsUrl).origin) {
          throw new RosterUnavailableError('failed', `The LMS's roster page ${page} linked to another site; nothing was changed.`);
        }
        url = body.next;
      }
      return members;
    },
  };
}

function refusal(status: number, page: number, preset: Platform['preset']): RosterUnavailableError {
  return new RosterUnavailableError(
    'disabled',
    `The LMS refused the roster request with HTTP ${status} (page ${page}); nothing was changed. ` +
      `This usually means its roster service is switched off for examgate. ${enableAdvice(preset)}`,
  );
}

/** One roster page; 'unauthorized' (HTTP 401) lets the caller try once more with a fresh token. */
async function fetchPage(
  url: string,
  token: string,
  page: number,
  timeoutMs: number,
): Promise<{ members: unknown[]; next: string | null } | { refused: number } | 'unauthorized'> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${token}`, accept: MEMBERSHIP_MEDIA_TYPE },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw new RosterUnavailableError(
      'failed',
      timedOut
        ? `The LMS's roster service did not answer within ${timeoutMs / 1000} s (page ${page}); nothing was changed. Try again later.`
        : `The LMS's roster service could not be reached (page ${page}); nothing was changed. Try again later.`,
    );
  }
  if (response.status === 401) {
    await response.body?.cancel();
    return 'unauthorized';
  }
  if ([400, 403, 500].includes(response.status)) {
    return { refused: response.status };
  }
  if (!response.ok) {
    throw new RosterUnavailableError(
      'failed',
      `The LMS's roster service answered HTTP ${response.status} on page ${page}; nothing was changed.`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new RosterUnavailableError('failed', `The LMS's roster page ${page} was not valid JSON; nothing was changed.`);
  }
  const members = (body as { members?: unknown } | null)?.members;
  if (!Array.isArray(members)) {
    throw new RosterUnavailableError('failed', `The LMS's roster page ${page} had no member list; nothing was changed.`);
  }
  const next = nextLink(response.headers.get('link'));
  return { members, next: next ? new URL(next, url).toString() : null };
}
