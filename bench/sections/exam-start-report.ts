import type { BenchDatabase } from '../databases.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext } from '../section.js';
import { fmt, median, percentile } from '../stats.js';
import type { StormResult } from '../storm.js';
import type { StepFigures, Usage } from './exam-start-steps.js';

export const CANDIDATES = 1500;
export const CONCURRENCY = 100;

export interface DatabaseFigures {
  db: BenchDatabase;
  /** The database, and the --compare-checkout when the examgate measured is another working copy's. */
  label: string;
  /** Measured for a before/after comparison: no target is checked on it. */
  compared: boolean;
  /** examgate processes serving the storms (several: behind the bench's balancer, on one database). */
  processes: number;
  /** Null on the row of several processes (the test was set up as on one). */
  generateMs: number | null;
  importMs: number | null;
  logins: StormResult;
  links: StormResult;
  /** examgate CPU (every process's) and statements per candidate of the login storm (login page, sign-in, dashboard, lobby). */
  perCandidate: Usage;
  /** The same of the direct-link storm (the link's page, its post, the lobby). */
  perLinkCandidate: Usage;
  /** Each request of the login way in on its own (the sign-in POST: throttle, password check, session, audit); none on a row of several processes. */
  steps: StepFigures[];
}

const ms = (value: number, decimals = 0) => `${fmt(value, decimals)} ms`;
const msOrDash = (value: number | null) => (value === null ? '—' : ms(value));
const statements = (usage: Usage) => fmt(usage.statements ?? Number.NaN, 1);
const latencies = (storm: StormResult) => [
  `${fmt(median(storm.perCandidateMs), 0)} / ${ms(percentile(storm.perCandidateMs, 99))}`,
  `${fmt(median(storm.perRequestMs), 1)} / ${ms(percentile(storm.perRequestMs, 99))}`,
  `${fmt(storm.wallMs / 1000, 1)} s`,
];

function targetsOf(results: DatabaseFigures[]): TargetCheck[] {
  const targets: TargetCheck[] = [];
  for (const r of results.filter((result) => !result.compared)) {
    if (r.generateMs !== null && r.importMs !== null) {
      targets.push(
        {
          figure: `generate ${CANDIDATES} one-time users, ${r.label}`,
          target: '< 1 s',
          measured: ms(r.generateMs),
          met: r.generateMs < 1000,
        },
        { figure: `import a ${CANDIDATES}-row CSV, ${r.label}`, target: '< 1 s', measured: ms(r.importMs), met: r.importMs < 1000 },
      );
    }
    if (r.db.kind === 'postgres') {
      for (const [what, storm] of [
        ['one-time credentials', r.logins],
        ['direct links', r.links],
      ] as const) {
        const p99 = percentile(storm.perCandidateMs, 99);
        targets.push({
          figure: `exam-start storm with ${what}, ${CANDIDATES} at concurrency ${CONCURRENCY}, ${r.label}`,
          target: '0 errors, p99 < 300 ms',
          measured: `${storm.errors} errors, p99 ${ms(p99)}`,
          met: storm.errors === 0 && p99 < 300,
        });
      }
    }
  }
  return targets;
}

/** One row per request of the way in, a column pair (CPU, statements) per database, and their sum. */
function stepsTable(all: DatabaseFigures[]) {
  const results = all.filter((r) => r.steps.length > 0);
  const names = results[0]?.steps.map((s) => s.step) ?? [];
  const rows = names.map((name) => [
    name,
    ...results.flatMap((r) => {
      const each = r.steps.find((s) => s.step === name)?.each;
      return each ? [ms(each.cpuMs, 2), statements(each)] : ['—', '—'];
    }),
  ]);
  const sum = (r: DatabaseFigures, pick: (u: Usage) => number | null) =>
    r.steps.reduce((total, s) => total + (pick(s.each) ?? Number.NaN), 0);
  rows.push([
    '**the four together**',
    ...results.flatMap((r) => [
      `**${ms(
        sum(r, (u) => u.cpuMs),
        2,
      )}**`,
      `**${fmt(
        sum(r, (u) => u.statements),
        1,
      )}**`,
    ]),
  ]);
  return {
    caption: 'One candidate’s way in, request by request (CPU and statements per request)',
    columns: ['request', ...results.flatMap((r) => [`${r.label}: CPU`, `${r.label}: statements`])],
    rows,
  };
}

export function report(title: string, results: DatabaseFigures[], ctx: BenchContext): SectionReport {
  return {
    title,
    method: [
      `examgate's production build on each database; an instructor launches from the bench's https LMS, creates a test and auto-generates ${CANDIDATES} one-time users through the candidates page (the POST timed), imports a ${CANDIDATES}-row CSV into a second test (upload and commit timed together; the preview page is read in between), and activates the first.`,
      `Then the storm: ${CANDIDATES} candidates, each with a browser of their own, ${CONCURRENCY} at a time, each loading the login page, signing in (303 to the dashboard) and opening their test's lobby, which must carry the Start button. Per candidate: the first request to the lobby's last byte. Then the same ${CANDIDATES} open their direct links (the link's page, its button's post, the lobby), ${CONCURRENCY} at a time.`,
      `On PostgreSQL the same storms then run on a second test of ${CANDIDATES} against two examgate processes of the same build on the same database, behind a balancer in the bench's process that spreads requests round robin (README: Several processes), so a request often lands on the other process than the one before it; its rows say "2 processes", and their CPU is both processes' together.`,
      `CPU is examgate's process (user + system, process.cpuUsage) over the whole storm, divided by the candidates; statements are those it sent to its database driver (counted by the bench's probe in the process: node-postgres queries, BEGIN and COMMIT included, or node-sqlite3 calls), likewise. Between the two storms, a few hundred candidates make each request of the login way in on their own (20 at a time, each step for all before the next), which shows where a candidate's CPU goes. Latencies depend on what else the machine runs at the time; CPU and statements per candidate much less.`,
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
          'statements per candidate',
        ],
        rows: results.map((r) => [
          r.label,
          msOrDash(r.generateMs),
          msOrDash(r.importMs),
          String(r.logins.errors),
          ...latencies(r.logins),
          ms(r.perCandidate.cpuMs, 2),
          statements(r.perCandidate),
        ]),
      },
      {
        caption: 'Open a direct link and the lobby',
        columns: [
          'database',
          'errors',
          'per candidate p50 / p99',
          'per request p50 / p99',
          'total',
          'CPU per candidate',
          'statements per candidate',
        ],
        rows: results.map((r) => [
          r.label,
          String(r.links.errors),
          ...latencies(r.links),
          ms(r.perLinkCandidate.cpuMs, 2),
          statements(r.perLinkCandidate),
        ]),
      },
      stepsTable(results),
    ],
    targets: targetsOf(results),
    notes: [
      'One-time passwords are generated, not chosen: they are stored sealed (AES-256-GCM) and checked by opening the seal and comparing digests in constant time, so a sign-in pays microseconds for the password, not a slow hash; the CPU per sign-in is the throttle, the session write, the audit entry and the page.',
    ],
  };
}
