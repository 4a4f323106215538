/**
 * Names and Role Provisioning Services 2.0 membership endpoint, with the
 * Link-header paging that real LMSs use (Canvas pages by 50 by default).
 * @see https://www.imsglobal.org/spec/lti-nrps/v2p0#limit-query-parameter
 */
import type { Request, Response as ExpressResponse, Router } from 'express';
import { MEDIA_NRPS_CONTAINER, normalizeRole, SCOPE_NRPS } from './claims.js';
import { positiveInt, stringParam } from './http-util.js';
import type { LmsState } from './state.js';
import { requireScope } from './tokens.js';
import type { RosterMember } from './types.js';

interface PageWindow {
  start: number;
  size: number;
  /** The query of the next page, or null on the last page. */
  nextQuery: URLSearchParams | null;
}

/**
 * Works out which slice of `total` members a request asks for. `limit`
 * overrides the page size; the position comes from `page` (1-based) or
 * `from` (0-based offset), and the next link keeps whichever style was used.
 */
export function pageWindow(query: unknown, total: number, defaultSize: number, cap: number | null = null): PageWindow {
  const asked = positiveInt(query, 'limit') ?? defaultSize;
  const size = cap === null ? asked : Math.min(asked, cap);
  const fromParam = stringParam(query, 'from');
  const usesFrom = fromParam !== undefined && /^\d+$/.test(fromParam);
  const page = positiveInt(query, 'page') ?? 1;
  const start = usesFrom ? Number(fromParam) : (page - 1) * size;
  if (start + size >= total) {
    return { start, size, nextQuery: null };
  }
  const next = new URLSearchParams();
  for (const name of ['role', 'rlid', 'limit']) {
    const value = stringParam(query, name);
    if (value !== undefined) {
      next.set(name, value);
    }
  }
  if (usesFrom) {
    next.set('from', String(start + size));
  } else {
    next.set('page', String(page + 1));
  }
  return { start, size, nextQuery: next };
}

function filterByRole(members: RosterMember[], role: string | undefined): RosterMember[] {
  if (role === undefined) {
    return members;
  }
  const wanted = normalizeRole(role);
  return members.filter((m) => m.roles.some((r) => normalizeRole(r) === wanted));
}

function membershipHandler(state: LmsState) {
  return (req: Request, res: ExpressResponse): void => {
    const contextId = String(req.params.contextId);
    const context = state.contexts.get(contextId);
    if (!context) {
      res.status(404).json({ error: 'not_found', error_description: `unknown context ${contextId}` });
      return;
    }
    const members = filterByRole(state.rosters.get(contextId) ?? [], stringParam(req.query, 'role'));
    const window = pageWindow(req.query, members.length, state.config.pageSize, state.nrpsPageCap);
    const endpoint = state.url(`/nrps/${encodeURIComponent(contextId)}/memberships`);
    if (window.nextQuery) {
      res.set('Link', `<${endpoint}?${window.nextQuery.toString()}>; rel="next"`);
    }
    const query = new URLSearchParams(Object.entries(req.query).filter((e): e is [string, string] => typeof e[1] === 'string')).toString();
    const body = {
      id: query ? `${endpoint}?${query}` : endpoint,
      context: { id: context.id, label: context.label, title: context.title },
      members: members.slice(window.start, window.start + window.size),
    };
    res.status(200).type(MEDIA_NRPS_CONTAINER).send(JSON.stringify(body));
  };
}

/** Mounts GET /nrps/:contextId/memberships on `router`. */
export function registerNrps(router: Router, state: LmsState): void {
  const path = '/nrps/:contextId/memberships';
  // A simulated outage answers before authentication, like a failing load balancer would.
  router.get(path, (req, res, next) => {
    if (state.nrpsStallAfterPages !== null) {
      if (state.nrpsStallAfterPages <= 0) {
        // Hangs like an overloaded LMS; answers (too late) only so the socket is not left open forever.
        setTimeout(() => res.status(504).end(), 60_000).unref();
        return;
      }
      state.nrpsStallAfterPages -= 1;
    }
    if (state.nrpsFailure === null || state.nrpsPagesBeforeFailure > 0) {
      state.nrpsPagesBeforeFailure -= 1;
      next();
      return;
    }
    if (state.nrpsFailure === 401) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
    }
    res.status(state.nrpsFailure).json({ error: 'simulated_failure', error_description: 'failNrps() is active' });
  });
  const requestCost = (_req: Request, _res: ExpressResponse, next: () => void) => {
    if (state.nrpsRequestCostMs > 0) {
      setTimeout(next, state.nrpsRequestCostMs);
      return;
    }
    next();
  };
  router.get(path, requireScope(state.tokens, [SCOPE_NRPS]), requestCost, membershipHandler(state));
}
