import type { Browser } from '../../src/lms-sim/browser.js';
import { httpBrowser } from '../http-browser.js';
import { runStorm } from '../storm.js';
import type { ToolProcess } from '../tool-process.js';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
const STEP_CONCURRENCY = 20;

export interface Credentials {
  username: string;
  password: string;
}

/** What the tool process had used at one moment: CPU (user + system) and statements sent to its database. */
export interface Usage {
  cpuMs: number;
  statements: number | null;
}

export async function usageOf(tool: ToolProcess): Promise<Usage> {
  const [cpuMs, statements] = await Promise.all([tool.cpuMs(), tool.statements()]);
  return { cpuMs, statements };
}

/** The same summed over every process serving a storm (several behind a balancer). */
export async function usageOfAll(tools: readonly ToolProcess[]): Promise<Usage> {
  const each = await Promise.all(tools.map(usageOf));
  return {
    cpuMs: each.reduce((sum, u) => sum + u.cpuMs, 0),
    statements: each.some((u) => u.statements === null) ? null : each.reduce((sum, u) => sum + (u.statements ?? 0), 0),
  };
}

/** The usage between two readings, per item (a candidate, a request). */
export function perItem(before: Usage, after: Usage, items: number): Usage {
  return {
    cpuMs: (after.cpuMs - before.cpuMs) / items,
    statements: before.statements !== null && after.statements !== null ? (after.statements - before.statements) / items : null,
  };
}

/** One request of a candidate's way in, measured on its own over many candidates. */
export interface StepFigures {
  step: string;
  /** CPU ms and statements per request of this step. */
  each: Usage;
}

/**
 * Where one candidate's CPU and statements go: the four requests of the login way in, each
 * made by `people.length` candidates (`STEP_CONCURRENCY` at a time) before the next step
 * starts, with the tool's CPU and statement count read between steps. Each candidate keeps
 * their browser (cookies) from step to step, so the dashboard follows its sign-in within
 * seconds as it does in the storm.
 */
export async function measureSteps(
  tool: ToolProcess,
  url: string,
  examId: string,
  people: readonly Credentials[],
  ca: string | undefined,
): Promise<StepFigures[]> {
  const browsers = new Map<Credentials, Browser>(people.map((who) => [who, httpBrowser(ca)]));
  const steps: Array<[string, (who: Credentials, browser: Browser) => Promise<Response>, number]> = [
    ['login page (GET /login)', (_who, b) => b.request(`${url}/login`, { headers: SAME_ORIGIN }), 200],
    ['sign-in (POST /login → 303)', (who, b) => b.request(`${url}/login`, { method: 'POST', form: { ...who }, headers: SAME_ORIGIN }), 303],
    ['dashboard (GET /my)', (_who, b) => b.request(`${url}/my`, { headers: SAME_ORIGIN }), 200],
    ['lobby (GET /my/tests/:id)', (_who, b) => b.request(`${url}/my/tests/${examId}`, { headers: SAME_ORIGIN }), 200],
  ];
  const figures: StepFigures[] = [];
  for (const [step, send, status] of steps) {
    const before = await usageOf(tool);
    const run = await runStorm(people, STEP_CONCURRENCY, ca, async (who) => {
      const response = await send(who, browsers.get(who)!);
      await response.arrayBuffer();
      if (response.status !== status) {
        throw new Error(`${step} answered ${response.status}`);
      }
      return [];
    });
    if (run.errors > 0) {
      throw new Error(`${run.errors} of ${people.length} failed at ${step}: ${run.errorSamples[0] ?? ''}`);
    }
    figures.push({ step, each: perItem(before, await usageOf(tool), people.length) });
  }
  return figures;
}
