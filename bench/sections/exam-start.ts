import type { BenchDatabase } from '../databases.js';
import { activate, activeExam, opener, rows, staffOf, withDatabase, type Staff } from '../exam-setup.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, median, percentile } from '../stats.js';
import { runStorm, timedFollow, type StormResult } from '../storm.js';
import { ONE_TIME_PASSWORD_PURPOSE } from '../../src/access/one-time-user.service.js';
import { WAY_IN_PURPOSE } from '../../src/access/ways-in.service.js';
import { startExamgate, type RunningTool } from './launch-tools.js';

const CANDIDATES = 1500;
const CONCURRENCY = 100;
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

interface Credentials {
  username: string;
  password: string;
}

interface DatabaseFigures {
  db: BenchDatabase;
  generateMs: number;
  importMs: number;
  logins: StormResult;
  links: StormResult;
  /** examgate CPU per candidate of the login storm (login page, sign-in, dashboard, lobby). */
  cpuPerCandidateMs: number;
  /** examgate CPU of one sign-in POST alone (throttle, password check, session, audit). */
  cpuPerSignInMs: number;
}

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

async function measureOn(db: BenchDatabase, ctx: BenchContext): Promise<DatabaseFigures> {
  ctx.log(`exam-start: starting examgate on ${db.label}`);
  const tool = await startExamgate(db, ctx);
  try {
    const { url } = tool;
    const staff = await staffOf(tool, url);
    const examId = await activeExam(staff, 'Exam-start storm');
    const generateMs = await generate(staff, examId, CANDIDATES);
    const importExam = await activeExam(staff, 'CSV import');
    const importMs = await importCsv(staff, importExam, CANDIDATES);
    await activate(staff, examId);
    ctx.log(
      `exam-start: ${db.label}: generated ${CANDIDATES} in ${fmt(generateMs, 0)} ms, imported ${CANDIDATES} in ${fmt(importMs, 0)} ms`,
    );
    const people = await credentialsOf(tool, examId);
    if (people.length !== CANDIDATES || people.some((p) => !p.password)) {
      throw new Error(`expected ${CANDIDATES} readable one-time users, found ${people.length}`);
    }
    const wayIn = signInAndOpenLobby(url, examId);
    const warm = await runStorm(people.slice(0, ctx.quick ? 20 : 100), 20, tool.target.ca, wayIn);
    ctx.log(`exam-start: ${db.label}: warm-up ${warm.candidates} sign-ins, ${warm.errors} failed ${warm.errorSamples[0] ?? ''}`);

    const cpu0 = await tool.process.cpuMs();
    const logins = await runStorm(people, CONCURRENCY, tool.target.ca, wayIn);
    const cpuPerCandidateMs = ((await tool.process.cpuMs()) - cpu0) / CANDIDATES;
    for (const sample of logins.errorSamples) {
      ctx.log(`    failed: ${sample}`);
    }
    ctx.log(
      `exam-start: ${db.label}: ${CANDIDATES} sign-ins in ${fmt(logins.wallMs / 1000)} s, ${logins.errors} failed, ` +
        `p99 ${fmt(percentile(logins.perCandidateMs, 99), 0)} ms per candidate`,
    );

    // The sign-in POST alone, to see what the password check and session cost against the pages around it.
    const sample = people.slice(0, ctx.quick ? 100 : 500);
    const cpu1 = await tool.process.cpuMs();
    await runStorm(sample, 20, tool.target.ca, async (who, browser) => {
      const response = await browser.request(`${url}/login`, { method: 'POST', form: { ...who }, headers: SAME_ORIGIN });
      await response.arrayBuffer();
      if (response.status !== 303) {
        throw new Error(`sign-in answered ${response.status}`);
      }
      return [];
    });
    const cpuPerSignInMs = ((await tool.process.cpuMs()) - cpu1) / sample.length;

    const tokens = await linksOf(tool, staff, examId);
    if (tokens.length !== CANDIDATES || tokens.some((t) => !t)) {
      throw new Error(`expected ${CANDIDATES} readable direct links, found ${tokens.length}`);
    }
    const links = await runStorm(tokens, CONCURRENCY, tool.target.ca, openLinkAndLobby(url));
    for (const failed of links.errorSamples) {
      ctx.log(`    failed: ${failed}`);
    }
    ctx.log(
      `exam-start: ${db.label}: ${CANDIDATES} direct links in ${fmt(links.wallMs / 1000)} s, ${links.errors} failed, ` +
        `p99 ${fmt(percentile(links.perCandidateMs, 99), 0)} ms per candidate`,
    );
    return { db, generateMs, importMs, logins, links, cpuPerCandidateMs, cpuPerSignInMs };
  } finally {
    await tool.stop();
  }
}

function report(title: string, results: DatabaseFigures[], ctx: BenchContext): SectionReport {
  const targets: TargetCheck[] = [];
  for (const r of results) {
    targets.push(
      {
        figure: `generate ${CANDIDATES} one-time users, ${r.db.label}`,
        target: '< 1 s',
        measured: `${fmt(r.generateMs, 0)} ms`,
        met: r.generateMs < 1000,
      },
      {
        figure: `import a ${CANDIDATES}-row CSV, ${r.db.label}`,
        target: '< 1 s',
        measured: `${fmt(r.importMs, 0)} ms`,
        met: r.importMs < 1000,
      },
    );
    if (r.db.kind === 'postgres') {
      const p99 = percentile(r.logins.perCandidateMs, 99);
      targets.push({
        figure: `exam-start storm with one-time credentials, ${CANDIDATES} at concurrency ${CONCURRENCY}, PostgreSQL`,
        target: '0 errors, p99 < 300 ms',
        measured: `${r.logins.errors} errors, p99 ${fmt(p99, 0)} ms`,
        met: r.logins.errors === 0 && p99 < 300,
      });
      const linkP99 = percentile(r.links.perCandidateMs, 99);
      targets.push({
        figure: `exam-start storm with direct links, ${CANDIDATES} at concurrency ${CONCURRENCY}, PostgreSQL`,
        target: '0 errors, p99 < 300 ms',
        measured: `${r.links.errors} errors, p99 ${fmt(linkP99, 0)} ms`,
        met: r.links.errors === 0 && linkP99 < 300,
      });
    }
  }
  return {
    title,
    method: [
      `examgate's production build on each database; an instructor launches from the bench's https LMS, creates a test and auto-generates ${CANDIDATES} one-time users through the candidates page (the POST timed), imports a ${CANDIDATES}-row CSV into a second test (upload and commit timed together; the preview page is read in between), and activates the first.`,
      `Then the storm: ${CANDIDATES} candidates, each with a browser of their own, ${CONCURRENCY} at a time, each loading the login page, signing in (303 to the dashboard) and opening their test's lobby, which must carry the Start button. Per candidate: the first request to the lobby's last byte. A sign-in-only run (the POST alone) gives the CPU one sign-in costs. Then the same ${CANDIDATES} open their direct links (the link's page, its button's post, the lobby), ${CONCURRENCY} at a time.`,
      ctx.quick ? 'A quick run (`--quick`): the figures are not for the record.' : '',
    ].filter(Boolean),
    tables: [
      {
        caption: 'Sign in with one-time credentials and open the lobby',
        columns: [
          'database',
          'generate 1500',
          'import 1500',
          'storm: errors',
          'per candidate p50 / p99',
          'per request p50 / p99',
          'total',
          'CPU per candidate',
          'CPU per sign-in POST',
        ],
        rows: results.map((r) => [
          r.db.label,
          `${fmt(r.generateMs, 0)} ms`,
          `${fmt(r.importMs, 0)} ms`,
          String(r.logins.errors),
          `${fmt(median(r.logins.perCandidateMs), 0)} / ${fmt(percentile(r.logins.perCandidateMs, 99), 0)} ms`,
          `${fmt(median(r.logins.perRequestMs), 1)} / ${fmt(percentile(r.logins.perRequestMs, 99), 0)} ms`,
          `${fmt(r.logins.wallMs / 1000, 1)} s`,
          `${fmt(r.cpuPerCandidateMs, 2)} ms`,
          `${fmt(r.cpuPerSignInMs, 2)} ms`,
        ]),
      },
      {
        caption: 'Open a direct link and the lobby',
        columns: ['database', 'errors', 'per candidate p50 / p99', 'per request p50 / p99', 'total'],
        rows: results.map((r) => [
          r.db.label,
          String(r.links.errors),
          `${fmt(median(r.links.perCandidateMs), 0)} / ${fmt(percentile(r.links.perCandidateMs, 99), 0)} ms`,
          `${fmt(median(r.links.perRequestMs), 1)} / ${fmt(percentile(r.links.perRequestMs, 99), 0)} ms`,
          `${fmt(r.links.wallMs / 1000, 1)} s`,
        ]),
      },
    ],
    targets,
    notes: [
      'One-time passwords are generated, not chosen: they are stored sealed (AES-256-GCM) and checked by opening the seal and comparing digests in constant time, so a sign-in pays microseconds for the password, not a slow hash; the CPU per sign-in is the throttle, the session write, the audit entry and the page.',
    ],
  };
}

/** DESIGN.md: generate 1500 one-time users (or import 1500 rows) in under 1 s; the exam-start storm with zero errors and p99 under 300 ms on PostgreSQL. */
export const examStartSection: BenchSection = {
  id: 'exam-start',
  title: 'One-time users and the exam-start storm',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const results: DatabaseFigures[] = [];
    for (const db of ctx.databases) {
      results.push(await measureOn(db, ctx));
    }
    return report(this.title, results, ctx);
  },
};
