import path from 'node:path';
import type { BenchDatabase } from '../databases.js';
import { activate, activeExam, opener, rows, staffOf, withDatabase, type Staff } from '../exam-setup.js';
import type { SectionReport } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, percentile } from '../stats.js';
import { runStorm, timedFollow } from '../storm.js';
import { ONE_TIME_PASSWORD_PURPOSE } from '../../src/access/one-time-user.service.js';
import { WAY_IN_PURPOSE } from '../../src/access/ways-in.service.js';
import { CANDIDATES, CONCURRENCY, report, type DatabaseFigures } from './exam-start-report.js';
import { measureSteps, perItem, usageOfAll, type Credentials } from './exam-start-steps.js';
import { startExamgate, type RunningTool } from './launch-tools.js';
import { startExamgateCluster } from './exam-start-cluster.js';
import type { ToolProcess } from '../tool-process.js';

const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/** Auto-generates `count` one-time users through the candidates page; returns how long the POST took. */
async function generate(staff: Staff, examId: string, count: number): Promise<number> {
  const page = `/app/exams/${examId}/candidates`;
  const done = await staff.post(`${page}/one-time/generate`, { count: String(count), extraTimeMinutes: '' }, page);
  if (done.status !== 303) {
    throw new Error(`generating ${count} one-time users answered ${done.status}`);
  }
  return done.ms;
}

/**
 * Imports a CSV of `count` rows (Candidate ID, extra time) through the candidates page: the
 * upload (→ its preview) and the commit; returns how long the two took together.
 */
async function importCsv(staff: Staff, examId: string, count: number): Promise<number> {
  const page = `/app/exams/${examId}/candidates`;
  const form = await staff.browser.follow(`${staff.url}${page}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const csv = [
    'Candidate ID,extra time',
    ...Array.from({ length: count }, (_, i) => `IMP-${String(i + 1).padStart(4, '0')},${i % 7 === 0 ? 30 : 0}`),
  ];
  const body = new FormData();
  body.set('_csrf', csrf);
  body.set('file', new Blob([`${csv.join('\r\n')}\r\n`], { type: 'text/csv' }), 'candidates.csv');
  const cookie = Object.entries(staff.browser.cookies(staff.url))
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');
  const t0 = performance.now();
  const response = await fetch(`${staff.url}${page}/one-time/import`, { method: 'POST', body, headers: { cookie }, redirect: 'manual' });
  await response.arrayBuffer();
  const preview = response.headers.get('location');
  if (response.status !== 303 || !preview) {
    throw new Error(`uploading ${count} one-time users answered ${response.status}`);
  }
  const committed = await staff.post(`${preview}/commit`, {}, preview);
  const ms = performance.now() - t0;
  if (committed.status !== 303) {
    throw new Error(`committing ${count} one-time users answered ${committed.status}`);
  }
  return ms;
}

async function credentialsOf(tool: RunningTool, examId: string): Promise<Credentials[]> {
  const sealed = opener(ONE_TIME_PASSWORD_PURPOSE);
  return withDatabase(tool.databaseUrl, async (sequelize) =>
    (
      await rows<{ username: string; password_sealed: string }>(
        sequelize,
        'SELECT username, password_sealed FROM one_time_users WHERE exam_id = :examId',
        { examId },
      )
    ).map((row) => ({ username: row.username, password: sealed.open(row.password_sealed)?.plain ?? '' })),
  );
}

/** Every live direct link of the test, as the candidates got them (staff opening the ways-in page issues them). */
async function linksOf(tool: RunningTool, staff: Staff, examId: string): Promise<string[]> {
  const page = await staff.browser.follow(`${staff.url}/app/exams/${examId}/ways-in`);
  if (page.response.status !== 200) {
    throw new Error(`the ways-in page answered ${page.response.status}`);
  }
  const sealed = opener(WAY_IN_PURPOSE);
  return withDatabase(tool.databaseUrl, async (sequelize) =>
    (
      await rows<{ sealed_value: string }>(
        sequelize,
        "SELECT sealed_value FROM ways_in WHERE exam_id = :examId AND kind = 'link' AND revoked_at IS NULL",
        { examId },
      )
    ).map((row) => sealed.open(row.sealed_value)?.plain ?? ''),
  );
}

/** A candidate opening their direct link: the link's page, its button (303 to the lobby), the lobby with its Start button. */
function openLinkAndLobby(url: string) {
  return async (token: string, browser: Parameters<Parameters<typeof runStorm>[3]>[1]) => {
    const page = await timedFollow(browser, `${url}/go/${token}`, {}, 'name="token"');
    const lobby = await timedFollow(browser, `${url}/go`, { method: 'POST', form: { token }, headers: SAME_ORIGIN }, 'name="ticket"');
    return [...page, ...lobby];
  };
}

/** One candidate's morning: the login page, sign in (303 to the dashboard), then their test's lobby with its Start button. */
function signInAndOpenLobby(url: string, examId: string) {
  return async (who: Credentials, browser: Parameters<Parameters<typeof runStorm>[3]>[1]) => {
    const page = await timedFollow(browser, `${url}/login`, {}, 'name="password"');
    const signIn = await timedFollow(browser, `${url}/login`, { method: 'POST', form: { ...who }, headers: SAME_ORIGIN }, 'Your tests');
    const lobby = await timedFollow(browser, `${url}/my/tests/${examId}`, {}, 'name="ticket"');
    return [...page, ...signIn, ...lobby];
  };
}

/** The two storms' figures on some examgate processes (CPU and statements are their sum). */
type StormFigures = Pick<DatabaseFigures, 'logins' | 'links' | 'perCandidate' | 'perLinkCandidate'>;

/** A new test with CANDIDATES auto-generated one-time users (still a draft); how long generating took. */
async function stormTest(staff: Staff, title: string): Promise<{ examId: string; generateMs: number }> {
  const examId = await activeExam(staff, title);
  return { examId, generateMs: await generate(staff, examId, CANDIDATES) };
}

/** Activates the test and reads every candidate's one-time credentials. */
async function readyForStorm(tool: RunningTool, staff: Staff, examId: string): Promise<Credentials[]> {
  await activate(staff, examId);
  const people = await credentialsOf(tool, examId);
  if (people.length !== CANDIDATES || people.some((p) => !p.password)) {
    throw new Error(`expected ${CANDIDATES} readable one-time users, found ${people.length}`);
  }
  return people;
}

/** Every candidate's direct link (the ways-in page issues them). */
async function readLinks(tool: RunningTool, staff: Staff, examId: string): Promise<string[]> {
  const tokens = await linksOf(tool, staff, examId);
  if (tokens.length !== CANDIDATES || tokens.some((t) => !t)) {
    throw new Error(`expected ${CANDIDATES} readable direct links, found ${tokens.length}`);
  }
  return tokens;
}

/**
 * The login storm at `url`, then (after `between`, e.g. the per-request steps) the direct-link
 * storm; `processes` are every examgate process serving `url`.
 */
async function storms(
  label: string,
  url: string,
  processes: ToolProcess[],
  ca: string | undefined,
  ctx: BenchContext,
  examId: string,
  people: Credentials[],
  between: () => Promise<string[]>,
): Promise<StormFigures> {
  const wayIn = signInAndOpenLobby(url, examId);
  const warm = await runStorm(people.slice(0, ctx.quick ? 20 : 100), 20, ca, wayIn);
  ctx.log(`exam-start: ${label}: warm-up ${warm.candidates} sign-ins, ${warm.errors} failed ${warm.errorSamples[0] ?? ''}`);

  const before = await usageOfAll(processes);
  const logins = await runStorm(people, CONCURRENCY, ca, wayIn);
  const perCandidate = perItem(before, await usageOfAll(processes), CANDIDATES);
  for (const sample of logins.errorSamples) {
    ctx.log(`    failed: ${sample}`);
  }
  ctx.log(
    `exam-start: ${label}: ${CANDIDATES} sign-ins in ${fmt(logins.wallMs / 1000)} s, ${logins.errors} failed, ` +
      `p99 ${fmt(percentile(logins.perCandidateMs, 99), 0)} ms per candidate, ${fmt(perCandidate.cpuMs, 2)} ms CPU and ` +
      `${fmt(perCandidate.statements ?? Number.NaN, 1)} statements per candidate`,
  );

  const tokens = await between();
  const beforeLinks = await usageOfAll(processes);
  const links = await runStorm(tokens, CONCURRENCY, ca, openLinkAndLobby(url));
  const perLinkCandidate = perItem(beforeLinks, await usageOfAll(processes), CANDIDATES);
  for (const failed of links.errorSamples) {
    ctx.log(`    failed: ${failed}`);
  }
  ctx.log(
    `exam-start: ${label}: ${CANDIDATES} direct links in ${fmt(links.wallMs / 1000)} s, ${links.errors} failed, ` +
      `p99 ${fmt(percentile(links.perCandidateMs, 99), 0)} ms per candidate, ${fmt(perLinkCandidate.cpuMs, 2)} ms CPU and ` +
      `${fmt(perLinkCandidate.statements ?? Number.NaN, 1)} statements per candidate`,
  );
  return { logins, links, perCandidate, perLinkCandidate };
}

/**
 * One examgate on `db`: this tree's, or the production build of `checkout` (--compare-checkout,
 * a before/after figure). On PostgreSQL (and not for a compared checkout) the same storms then
 * run once more, on a second test, against two processes behind a balancer.
 */
async function measureOn(db: BenchDatabase, ctx: BenchContext, checkout?: string): Promise<DatabaseFigures[]> {
  const label = checkout ? `${db.label}, ${path.basename(checkout)}` : db.label;
  ctx.log(`exam-start: starting examgate on ${label}`);
  const tool = await startExamgate(db, ctx, checkout);
  try {
    const { url } = tool;
    const staff = await staffOf(tool, url);
    const { examId, generateMs } = await stormTest(staff, 'Exam-start storm');
    const importExam = await activeExam(staff, 'CSV import');
    const importMs = await importCsv(staff, importExam, CANDIDATES);
    const people = await readyForStorm(tool, staff, examId);
    ctx.log(`exam-start: ${label}: generated ${CANDIDATES} in ${fmt(generateMs, 0)} ms, imported ${CANDIDATES} in ${fmt(importMs, 0)} ms`);

    let steps: DatabaseFigures['steps'] = [];
    const one = await storms(label, url, [tool.process], tool.target.ca, ctx, examId, people, async () => {
      // Each request of the way in alone, to see where a candidate's CPU and statements go.
      steps = await measureSteps(tool.process, url, examId, people.slice(0, ctx.quick ? 100 : 500), tool.target.ca);
      for (const { step, each } of steps) {
        ctx.log(`exam-start: ${label}: ${step}: ${fmt(each.cpuMs, 2)} ms CPU, ${fmt(each.statements ?? Number.NaN, 1)} statements`);
      }
      return readLinks(tool, staff, examId);
    });
    const figures: DatabaseFigures[] = [{ db, label, processes: 1, compared: Boolean(checkout), generateMs, importMs, ...one, steps }];

    if (db.kind === 'postgres' && !checkout) {
      const second = await stormTest(staff, 'Exam-start storm, two processes');
      const secondPeople = await readyForStorm(tool, staff, second.examId);
      const secondLinks = await readLinks(tool, staff, second.examId);
      const cluster = await startExamgateCluster(2, tool.databaseUrl, ctx);
      const clusterLabel = `${label}, 2 processes`;
      try {
        ctx.log(`exam-start: ${clusterLabel}: ${cluster.processes.length} processes behind ${cluster.url}`);
        const two = await storms(
          clusterLabel,
          cluster.url,
          cluster.processes,
          tool.target.ca,
          ctx,
          second.examId,
          secondPeople,
          async () => secondLinks,
        );
        figures.push({ db, label: clusterLabel, processes: 2, compared: false, generateMs: null, importMs: null, ...two, steps: [] });
      } finally {
        await cluster.stop();
      }
    }
    return figures;
  } finally {
    await tool.stop();
  }
}

/**
 * DESIGN.md: generate 1500 one-time users (or import 1500 rows) in under 1 s; the exam-start
 * storm with zero errors and p99 under 300 ms on PostgreSQL (one process, and two behind a balancer).
 */
export const examStartSection: BenchSection = {
  id: 'exam-start',
  title: 'One-time users and the exam-start storm',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const results: DatabaseFigures[] = [];
    for (const db of ctx.databases) {
      results.push(...(await measureOn(db, ctx)));
      for (const checkout of ctx.compareCheckouts) {
        results.push(...(await measureOn(db, ctx, checkout)));
      }
    }
    return report(this.title, results, ctx);
  },
};
