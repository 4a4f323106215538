/** Shared steps for the service tests: get a token the way a tool does, page through NRPS. */
import { randomUUID } from 'node:crypto';
import type { RosterMember, SimulatedLms } from '../../src/lms-sim/index.js';
import type { FakeTool } from './fake-tool.js';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** POSTs a client-credentials grant with an assertion signed by the fake tool. */
export function requestToken(lms: SimulatedLms, tool: FakeTool, scope: string, claims: Record<string, unknown> = {}): Promise<Response> {
  const assertion = tool.sign({ iss: lms.clientId, sub: lms.clientId, aud: lms.tokenUrl, jti: randomUUID(), ...claims }, { expiresIn: 60 });
  const form = { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: assertion, scope };
  return fetch(lms.tokenUrl, { method: 'POST', body: new URLSearchParams(form) });
}

/** A bearer access token for `scope`; throws when the LMS refuses. */
export async function bearer(lms: SimulatedLms, tool: FakeTool, scope: string): Promise<string> {
  const response = await requestToken(lms, tool, scope);
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) {
    throw new Error(`token refused: ${JSON.stringify(body)}`);
  }
  return `Bearer ${body.access_token}`;
}

/** Extracts the rel="next" target of a Link header, if any. */
export function nextLink(link: string | null): string | null {
  const match = /<([^>]+)>\s*;\s*rel="next"/.exec(link ?? '');
  return match?.[1] ?? null;
}

/** Follows Link rel="next" from `url` and returns every page's members plus the page count. */
export async function fetchAllMembers(url: string, authorization: string): Promise<{ members: RosterMember[]; pages: number }> {
  const members: RosterMember[] = [];
  let next: string | null = url;
  let pages = 0;
  while (next) {
    const response: Response = await fetch(next, { headers: { authorization } });
    if (!response.ok) {
      throw new Error(`NRPS answered ${response.status}`);
    }
    members.push(...((await response.json()) as { members: RosterMember[] }).members);
    pages += 1;
    next = nextLink(response.headers.get('link'));
  }
  return { members, pages };
}

/** `count` active learners u-1 … u-count. */
export function learners(count: number): RosterMember[] {
  return Array.from({ length: count }, (_, i) => ({
    user_id: `u-${i + 1}`,
    roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    status: 'Active' as const,
    name: `Learner ${i + 1}`,
  }));
}
