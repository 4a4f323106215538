import type { LineItem, LmsState } from './state.js';
import type { LmsContext } from './types.js';

/**
 * What a course of the simulated LMS has that a real LMS would keep across a restart: the
 * activities Deep Linking placed, the gradebook's columns and the scores posted to them, and the
 * contexts the services answer for. Launches in flight, tokens and logs are left out.
 */
export interface CourseRecord {
  deepLinkResponses: Array<{ claims: Record<string, unknown> }>;
  scores: Array<{ lineItemUrl: string; score: Record<string, unknown> }>;
  lineItems: Array<[string, LineItem[]]>;
  contexts: LmsContext[];
}

export function recordOf(state: LmsState): CourseRecord {
  return {
    deepLinkResponses: state.deepLinkResponses,
    scores: state.scores,
    lineItems: [...state.lineItems],
    contexts: [...state.contexts.values()],
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** Puts a saved record back, keeping only entries of the right shape (the file may be old or hand-edited). */
export function restoreRecord(state: LmsState, saved: unknown): void {
  if (!isObject(saved)) {
    return;
  }
  for (const response of arrayOf(saved.deepLinkResponses)) {
    if (isObject(response) && isObject(response.claims)) {
      state.deepLinkResponses.push({ claims: response.claims });
    }
  }
  for (const entry of arrayOf(saved.scores)) {
    if (isObject(entry) && typeof entry.lineItemUrl === 'string' && isObject(entry.score)) {
      state.scores.push({ lineItemUrl: entry.lineItemUrl, score: entry.score });
    }
  }
  for (const entry of arrayOf(saved.lineItems)) {
    const [contextId, items] = arrayOf(entry);
    if (typeof contextId === 'string') {
      const valid = arrayOf(items).filter(
        (item): item is LineItem =>
          isObject(item) && typeof item.id === 'string' && typeof item.label === 'string' && typeof item.scoreMaximum === 'number',
      );
      state.lineItems.set(contextId, valid);
    }
  }
  for (const context of arrayOf(saved.contexts)) {
    if (isObject(context) && typeof context.id === 'string') {
      state.rememberContext({
        id: context.id,
        ...(typeof context.title === 'string' ? { title: context.title } : {}),
        ...(typeof context.label === 'string' ? { label: context.label } : {}),
      });
    }
  }
}
