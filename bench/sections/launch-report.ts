import type { BenchDatabase } from '../databases.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext } from '../section.js';
import { fmt, median } from '../stats.js';
import { TOKEN_MAX_AGE_SECONDS } from './launch-tools.js';

const P99_TARGET_MS = 250;
const RATIO_TARGET = 2;

export interface Plan {
  concurrency: number;
  warmup: number;
  runs: number;
  launches: number;
}

/** One measured run of one tool. */
export interface RunFigures {
  perSecond: number;
  p50: number;
  p99: number;
  toolCpuMs: number;
  benchCpuMs: number;
  busy: number;
  errors: number;
}

export interface ToolResult {
  name: string;
  baseline: boolean;
  examgate: boolean;
  runs: RunFigures[];
  warmupFailures: { count: number; sample?: string };
}

export interface DatabaseResult {
  db: BenchDatabase;
  tools: ToolResult[];
}

function medianOf(runs: RunFigures[], pick: (f: RunFigures) => number): number {
  return median(runs.map(pick));
}

function perSecond(tool: ToolResult | undefined): number {
  return tool ? medianOf(tool.runs, (f) => f.perSecond) : Number.NaN;
}

function cpu(tool: ToolResult | undefined): number {
  return tool ? medianOf(tool.runs, (f) => f.toolCpuMs) : Number.NaN;
}

const plain = (name: string) => name.replace(/\*/g, '');

function rows(r: DatabaseResult): string[][] {
  const bare = perSecond(r.tools.find((t) => t.baseline));
  return r.tools.map((t) => [
    r.db.label,
    t.name,
    fmt(perSecond(t)),
    t.baseline ? '1.00×' : `${fmt(perSecond(t) / bare, 2)}×`,
    fmt(
      medianOf(t.runs, (f) => f.p50),
      0,
    ),
    fmt(
      medianOf(t.runs, (f) => f.p99),
      0,
    ),
    fmt(cpu(t)),
    t.runs.map((f) => fmt(f.perSecond, 0)).join(', '),
    String(t.runs.reduce((n, f) => n + f.errors, 0)),
  ]);
}

function targetsFor(r: DatabaseResult): TargetCheck[] {
  const bare = perSecond(r.tools.find((t) => t.baseline));
  const examgate = r.tools.find((t) => t.examgate);
  const ratio = perSecond(examgate) / bare;
  const p99 = examgate ? medianOf(examgate.runs, (f) => f.p99) : Number.NaN;
  const failed = r.tools.some((t) => t.runs.some((f) => f.errors > 0));
  return [
    {
      figure: `launches/s vs bare ltijs, ${r.db.label}`,
      target: `≥ ${RATIO_TARGET}×`,
      measured: `${fmt(ratio, 2)}× (${fmt(perSecond(examgate))} vs ${fmt(bare)}/s)${failed ? ', with failed launches' : ''}`,
      met: !failed && ratio >= RATIO_TARGET,
    },
    {
      figure: `p99 at 16 concurrent, ${r.db.label}`,
      target: `< ${P99_TARGET_MS} ms`,
      measured: `${fmt(p99, 0)} ms`,
      met: p99 < P99_TARGET_MS,
    },
  ];
}

function method(plan: Plan): string[] {
  return [
    `A complete launch is what a person clicking the activity in the LMS causes: OIDC login initiation at the tool → ` +
      `the LMS's auth endpoint (signs an RS256 id_token) → form POST of the id_token to the tool → the tool's redirect, ` +
      `followed → its landing page (examgate: \`/app…\`; bare ltijs: \`/?ltik=…\` rendered by \`onConnect\`). Latency runs ` +
      `from the first request to the last byte of the landing page. Every launch is a different learner in one course.`,
    `${plan.concurrency} virtual users, each with its own cookie-keeping simulated browser, in a closed loop; after ` +
      `${plan.warmup} warm-up launches per tool, ${plan.runs} runs of ${plan.launches} launches per tool. The table shows ` +
      `the median of the runs; "runs" lists each run's rate.`,
    `Fairness on 2 cores: each tool runs in its own process (ltijs is a per-process singleton): examgate through its real ` +
      `entry point (\`src/main.ts\`, configured by environment), the baseline as \`bench/bare-ltijs-tool.ts\` (ltijs ` +
      `5.9.9 on ltijs-sequelize, platform registered with \`authConfig: {method: 'JWK_SET'}\`). Both are measured in the ` +
      `same run on the same kind of database (each its own, empty one), launched by identical simulated LMSs that live with ` +
      `the load generator in the bench process, and their runs alternate (A B, B A, …) so noise on the shared machine hits ` +
      `both alike. A tool's JavaScript runs on one thread, so it can use about one core; the bench process (the LMS's RSA ` +
      `signing, the HTTP client) and the database server share the other. The simulated browsers speak node:http rather ` +
      `than fetch, which costs ~0.3 ms more CPU per request that the load generator would take from the tools. The ` +
      `baseline gets examgate's PostgreSQL pool size (20) but none of examgate's SQLite pragmas (a stock ltijs-sequelize ` +
      `tool sets none); both accept id_tokens up to ${TOKEN_MAX_AGE_SECONDS} s old.`,
    `"tool CPU" is process.cpuUsage() of the tool's process over a run divided by its launches (user + system, all ` +
      `threads, read over the bench's IPC channel); the database server's CPU is not in it. When both cores are near ` +
      `100% busy, launches/s understates the cheaper tool; the CPU column does not.`,
  ];
}

function notes(results: DatabaseResult[], plan: Plan, ctx: BenchContext): string[] {
  const lines = results.map((r) => {
    const examgate = r.tools.find((t) => t.examgate);
    const bare = r.tools.find((t) => t.baseline);
    const bench = r.tools.map((t) => `${fmt(medianOf(t.runs, (f) => f.benchCpuMs))} ms per ${plain(t.name)} launch`);
    const busy = medianOf(
      r.tools.flatMap((t) => t.runs),
      (f) => f.busy,
    );
    return (
      `${r.db.label}: examgate used ${fmt(cpu(examgate))} ms of CPU per launch against bare ltijs's ${fmt(cpu(bare))} ms ` +
      `(${fmt(cpu(bare) / cpu(examgate), 2)}× less). The bench process used ${bench.join(', ')}; both cores were ` +
      `${fmt(busy * 100, 0)}% busy during the runs (median).`
    );
  });
  for (const r of results) {
    for (const t of r.tools.filter((tool) => tool.warmupFailures.count > 0)) {
      lines.push(
        `${r.db.label}, ${plain(t.name)}: ${t.warmupFailures.count} of the ${plan.warmup} warm-up launches failed (not in the ` +
          `figures above), e.g. ${t.warmupFailures.sample?.slice(0, 160) ?? ''}`,
      );
    }
  }
  lines.push(...ctx.skippedDatabases.map((s) => `${s.label} was not measured: ${s.reason}.`));
  if (ctx.quick) {
    lines.push('Quick run (`--quick`): too few launches for the record.');
  }
  return lines;
}

export function launchReport(title: string, results: DatabaseResult[], plan: Plan, ctx: BenchContext): SectionReport {
  return {
    title,
    method: method(plan),
    tables: [
      {
        columns: ['database', 'tool', 'launches/s', 'vs bare', 'p50 ms', 'p99 ms', 'tool CPU ms/launch', 'runs (launches/s)', 'failed'],
        rows: results.flatMap(rows),
      },
    ],
    targets: results.flatMap(targetsFor),
    notes: notes(results, plan, ctx),
  };
}
