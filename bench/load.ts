import { performance } from 'node:perf_hooks';
import type { LaunchRequest, LaunchResult, SimulatedLms } from '../src/lms-sim/index.js';
import { httpBrowser } from './http-browser.js';

/** A tool the LMS launches, and how to recognise its landing page. */
export interface LaunchTarget {
  name: string;
  lms: SimulatedLms;
  /** The CA the simulated browsers trust, when the LMS speaks https. */
  ca?: string;
  /** True when `result` is the tool's page after a successful launch (redirects followed). */
  landed(result: LaunchResult): boolean;
}

export interface LoadResult {
  launches: number;
  errors: number;
  /** First few failures, for the log. */
  errorSamples: string[];
  wallMs: number;
  /** Per successful launch, login initiation to the landing page's last byte. */
  latenciesMs: number[];
}

let launchSerial = 0;

/** A learner launch into one course activity; every launch is a different person, as in an exam-start rush. */
function learnerLaunch(): LaunchRequest {
  launchSerial += 1;
  const sub = `bench-learner-${process.pid}-${launchSerial}`;
  return {
    user: { sub, name: `Learner ${launchSerial}`, givenName: 'Learner', familyName: String(launchSerial), email: `${sub}@example.invalid` },
    roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'],
    context: { id: 'bench-course', title: 'Bench course', label: 'BENCH' },
    resourceLink: { id: 'bench-exam', title: 'Bench exam' },
  };
}

function describe(result: LaunchResult): string {
  const text = result.body
    .replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `HTTP ${result.status} at ${result.url}: ${text.slice(0, 160)}`;
}

/**
 * Closed loop: `concurrency` virtual users, each with its own browser (cookie jar), start a
 * new complete launch as soon as their previous one finished, until `count` have run.
 */
export async function runLaunches(target: LaunchTarget, count: number, concurrency: number): Promise<LoadResult> {
  const result: LoadResult = { launches: 0, errors: 0, errorSamples: [], wallMs: 0, latenciesMs: [] };
  let started = 0;
  const user = async () => {
    const browser = httpBrowser(target.ca);
    while (started < count) {
      started += 1;
      const t0 = performance.now();
      try {
        const landing = await target.lms.launch(browser, learnerLaunch());
        if (!target.landed(landing)) {
          throw new Error(describe(landing));
        }
        result.latenciesMs.push(performance.now() - t0);
      } catch (err) {
        result.errors += 1;
        if (result.errorSamples.length < 3) {
          result.errorSamples.push(err instanceof Error ? err.message : String(err));
        }
      }
      result.launches += 1;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, user));
  result.wallMs = performance.now() - t0;
  return result;
}
