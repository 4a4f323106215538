/**
 * Assignment and Grade Services 2.0: line items and scores, enough for a
 * tool to create a column and publish results.
 * @see https://www.imsglobal.org/spec/lti-ags/v2p0
 */
import type { Request, Response as ExpressResponse, Router } from 'express';
import * as c from './claims.js';
import { stringParam } from './http-util.js';
import type { LineItem, LmsState } from './state.js';
import { requireScope } from './tokens.js';

const READ = [c.SCOPE_AGS_LINEITEM, c.SCOPE_AGS_LINEITEM_READONLY];
const FILTERS: Array<[query: string, field: string]> = [
  ['resource_link_id', 'resourceLinkId'],
  ['resource_id', 'resourceId'],
  ['tag', 'tag'],
];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Line items of a known context, or null after answering 404. */
function itemsOf(state: LmsState, req: Request, res: ExpressResponse): LineItem[] | null {
  const contextId = String(req.params.contextId);
  if (!state.contexts.has(contextId)) {
    res.status(404).json({ error: 'not_found', error_description: `unknown context ${contextId}` });
    return null;
  }
  let items = state.lineItems.get(contextId);
  if (!items) {
    items = [];
    state.lineItems.set(contextId, items);
  }
  return items;
}

function findItem(state: LmsState, req: Request, res: ExpressResponse): LineItem | null {
  const items = itemsOf(state, req, res);
  if (!items) {
    return null;
  }
  const url = state.url(`/ags/${encodeURIComponent(String(req.params.contextId))}/lineitems/${String(req.params.itemId)}`);
  const item = items.find((i) => i.id === url);
  if (!item) {
    res.status(404).json({ error: 'not_found', error_description: 'unknown line item' });
  }
  return item ?? null;
}

function listItems(state: LmsState) {
  return (req: Request, res: ExpressResponse): void => {
    const items = itemsOf(state, req, res);
    if (!items) {
      return;
    }
    const matching = items.filter((item) =>
      FILTERS.every(([query, field]) => {
        const wanted = stringParam(req.query, query);
        return wanted === undefined || item[field] === wanted;
      }),
    );
    res.status(200).type(c.MEDIA_AGS_LINEITEM_CONTAINER).send(JSON.stringify(matching));
  };
}

function createItem(state: LmsState) {
  return (req: Request, res: ExpressResponse): void => {
    const items = itemsOf(state, req, res);
    if (!items) {
      return;
    }
    const body: unknown = req.body;
    if (!isRecord(body) || typeof body.label !== 'string' || body.label === '') {
      res.status(400).json({ error: 'invalid_request', error_description: 'label is required' });
      return;
    }
    if (typeof body.scoreMaximum !== 'number' || !(body.scoreMaximum > 0)) {
      res.status(400).json({ error: 'invalid_request', error_description: 'scoreMaximum must be a number > 0' });
      return;
    }
    const contextId = encodeURIComponent(String(req.params.contextId));
    const id = state.url(`/ags/${contextId}/lineitems/${items.length + 1}`);
    const item: LineItem = { ...body, id, label: body.label, scoreMaximum: body.scoreMaximum };
    items.push(item);
    res.status(201).type(c.MEDIA_AGS_LINEITEM).send(JSON.stringify(item));
  };
}

/** Score fields the spec marks as required (AGS 2.0 §3.4). */
const REQUIRED_SCORE_FIELDS = ['userId', 'activityProgress', 'gradingProgress', 'timestamp'];

function postScore(state: LmsState) {
  return (req: Request, res: ExpressResponse): void => {
    if (!req.is(c.MEDIA_AGS_SCORE)) {
      res.status(415).json({ error: 'unsupported_media_type', error_description: `Content-Type must be ${c.MEDIA_AGS_SCORE}` });
      return;
    }
    const item = findItem(state, req, res);
    if (!item) {
      return;
    }
    const body: unknown = req.body;
    const missing = isRecord(body) ? REQUIRED_SCORE_FIELDS.filter((f) => body[f] === undefined) : REQUIRED_SCORE_FIELDS;
    if (!isRecord(body) || missing.length > 0) {
      res.status(400).json({ error: 'invalid_request', error_description: `missing score fields: ${missing.join(', ')}` });
      return;
    }
    state.scores.push({ lineItemUrl: item.id, score: { ...body } });
    res.status(204).end();
  };
}

/** Mounts the line item and score routes under /ags/:contextId on `router`. */
export function registerAgs(router: Router, state: LmsState): void {
  const items = '/ags/:contextId/lineitems';
  router.get(items, requireScope(state.tokens, READ), listItems(state));
  router.post(items, requireScope(state.tokens, [c.SCOPE_AGS_LINEITEM]), createItem(state));
  router.get(`${items}/:itemId`, requireScope(state.tokens, READ), (req, res) => {
    const item = findItem(state, req, res);
    if (item) {
      res.status(200).type(c.MEDIA_AGS_LINEITEM).send(JSON.stringify(item));
    }
  });
  // A simulated outage answers before authentication, like a failing load balancer would.
  router.post(`${items}/:itemId/scores`, (_req, res, next) => {
    const failure = state.scoreFailures;
    if (!failure || failure.remaining <= 0) {
      next();
      return;
    }
    failure.remaining -= 1;
    res.status(failure.status).json({ error: 'simulated_failure', error_description: 'failScores() is active' });
  });
  router.post(`${items}/:itemId/scores`, requireScope(state.tokens, [c.SCOPE_AGS_SCORE]), postScore(state));
}
