import { performance } from 'node:perf_hooks';
import { QueryTypes, Sequelize } from 'sequelize';
import { examFormValues } from '../src/exams/exam.presenter.js';
import type { Browser } from '../src/lms-sim/browser.js';
import { ROLE_INSTRUCTOR } from '../src/lms-sim/index.js';
import { SealedText } from '../src/secrets/sealed-text.js';
import { httpBrowser } from './http-browser.js';
import type { RunningTool } from './sections/launch-tools.js';
import { BENCH_SECRET_KEY } from './sections/launch-tools.js';

/** An instructor's browser inside examgate, launched from the bench's LMS, and a way to post its forms. */
export interface Staff {
  browser: Browser;
  url: string;
  /** Posts `form` to `path` with the CSRF token of the page at `formPage`; returns the status and Location of the answer (no redirect followed). */
  post(path: string, form: Record<string, string>, formPage: string): Promise<{ status: number; location: string | null; ms: number }>;
}

export async function staffOf(tool: RunningTool, url: string): Promise<Staff> {
  const browser = httpBrowser(tool.target.ca);
  const landing = await tool.target.lms.launch(browser, {
    user: { sub: 'bench-teacher', name: 'Bench Teacher' },
    roles: [ROLE_INSTRUCTOR],
    context: { id: 'storm-course', title: 'Exam-start storm' },
  });
  if (landing.status !== 200) {
    throw new Error(`the instructor's launch answered ${landing.status}`);
  }
  return {
    browser,
    url,
    post: async (path, form, formPage) => {
      const page = await browser.follow(`${url}${formPage}`);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
      if (!csrf) {
        throw new Error(`${formPage} has no CSRF field (HTTP ${page.response.status})`);
      }
      const t0 = performance.now();
      const response = await browser.request(`${url}${path}`, { method: 'POST', form: { _csrf: csrf, ...form } });
      const ms = performance.now() - t0;
      await response.arrayBuffer();
      return { status: response.status, location: response.headers.get('location'), ms };
    },
  };
}

/** A new, active test of the bench course, open now (no window), with the sample engine's address as its delivery URL; returns its id. */
export async function activeExam(staff: Staff, title: string): Promise<string> {
  const { enrolOnLaunch: _enrol, isDemo: _demo, ...text } = examFormValues(null);
  const created = await staff.post(
    '/app/exams',
    { ...text, title, deliveryUrl: 'https://engine.invalid/deliver', enrolOnLaunch: 'on' },
    '/app/exams/new',
  );
  const id = /\/app\/exams\/([0-9a-f-]{36})/.exec(created.location ?? '')?.[1];
  if (!id) {
    throw new Error(`creating the test answered ${created.status} (${created.location ?? 'no Location'})`);
  }
  return id;
}

export async function activate(staff: Staff, examId: string): Promise<void> {
  const done = await staff.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
  if (done.status !== 303) {
    throw new Error(`activating the test answered ${done.status}`);
  }
}

/** Reads rows of the tool's own database (what examgate sealed, opened with the bench's SECRET_KEY). */
export async function withDatabase<T>(databaseUrl: string, work: (sequelize: Sequelize) => Promise<T>): Promise<T> {
  const sequelize = new Sequelize(databaseUrl, { logging: false });
  try {
    return await work(sequelize);
  } finally {
    await sequelize.close();
  }
}

export function opener(purpose: string): SealedText {
  return new SealedText([BENCH_SECRET_KEY], purpose);
}

export async function rows<T extends object>(sequelize: Sequelize, sql: string, replacements: Record<string, unknown>): Promise<T[]> {
  return sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
}
