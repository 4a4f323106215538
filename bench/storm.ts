import { performance } from 'node:perf_hooks';
import type { Browser } from '../src/lms-sim/browser.js';
import { httpBrowser } from './http-browser.js';

/** What one burst of candidates did: each candidate's whole way in, and each request on it. */
export interface StormResult {
  candidates: number;
  errors: number;
  errorSamples: string[];
  wallMs: number;
  /** Per candidate who got in: the first request of their way in to the last byte of their lobby. */
  perCandidateMs: number[];
  /** Every request of every successful way in, redirects counted as requests of their own. */
  perRequestMs: number[];
}

/** One candidate's way in: performs it with `browser` and returns the duration of each request it made. */
export type WayIn<T> = (item: T, browser: Browser) => Promise<number[]>;

/**
 * The exam-start storm: every item is one candidate with a browser of their own (cookie jar),
 * `concurrency` at a time, each starting as soon as another finished, until all have gone in.
 */
export async function runStorm<T>(items: readonly T[], concurrency: number, ca: string | undefined, wayIn: WayIn<T>): Promise<StormResult> {
  const result: StormResult = { candidates: items.length, errors: 0, errorSamples: [], wallMs: 0, perCandidateMs: [], perRequestMs: [] };
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      const t0 = performance.now();
      try {
        const requests = await wayIn(item, httpBrowser(ca));
        result.perCandidateMs.push(performance.now() - t0);
        result.perRequestMs.push(...requests);
      } catch (err) {
        result.errors += 1;
        if (result.errorSamples.length < 3) {
          result.errorSamples.push(err instanceof Error ? err.message : String(err));
        }
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  result.wallMs = performance.now() - t0;
  return result;
}

/**
 * Requests `url` with `browser` and follows redirects, timing each request on its own; throws
 * unless the last answer is 200 and its body contains `expect`.
 */
export async function timedFollow(
  browser: Browser,
  url: string,
  init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> },
  expect: string,
): Promise<number[]> {
  const times: number[] = [];
  let current = url;
  let request = init;
  for (let hop = 0; hop < 10; hop += 1) {
    const t0 = performance.now();
    const response = await browser.request(current, request);
    const body = await response.text();
    times.push(performance.now() - t0);
    const location = response.headers.get('location');
    if (location && [301, 302, 303, 307, 308].includes(response.status)) {
      current = new URL(location, current).href;
      request = { headers: init.headers?.['sec-fetch-site'] ? { 'sec-fetch-site': 'same-origin' } : {} };
      continue;
    }
    if (response.status !== 200 || !body.includes(expect)) {
      const text = body
        .replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ')
        .replace(/<[^>]*>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
      throw new Error(`HTTP ${response.status} at ${current}: ${text.slice(0, 160)}`);
    }
    return times;
  }
  throw new Error(`too many redirects from ${url}`);
}
