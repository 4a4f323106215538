import type { BenchDatabase } from '../databases.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext } from '../section.js';
import { fmt, median } from '../stats.js';
import { TOKEN_MAX_AGE_SECONDS } from './launch-tools.js';

/** DESIGN.md, Performance: the complete-launch targets. */
const RATIO_TARGET = 2;
const CPU_TARGET_MS = 5;
const P99_TARGET_MS = 150;
const P99_TARGET_DATABASE = 'PostgreSQL';

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
  /** The machine's 1-minute load average at the end of the run (2 cores: above 2, work was waiting). */
  loadAverage: number;
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

/** A figure over the runs: the median, and the spread (min–max) a gain must stand out of. */
interface Spread {
  median: number;
  min: number;
  max: number;
}

function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

function of(tool: ToolResult | undefined, pick: (f: RunFigures) => number): Spread {
  return spread(tool ? tool.runs.map(pick) : [Number.NaN]);
}

function showSpread(s: Spread, decimals = 1, unit = ''): string {
  return `${fmt(s.median, decimals)}${unit} (${fmt(s.min, decimals)}–${fmt(s.max, decimals)})`;
}

/**
 * The ratio to the baseline: of the medians, with the spread of the run pairs. Runs alternate
 * (A B, B A, …), so run i of each tool met the same moment of a shared machine.
 */
function ratioTo(bare: ToolResult | undefined, tool: ToolResult | undefined): Spread {
  if (!bare || !tool) {
    return spread([Number.NaN]);
  }
  const pairs = tool.runs.map((f, i) => f.perSecond / (bare.runs[i]?.perSecond ?? Number.NaN));
  return { ...spread(pairs), median: of(tool, (f) => f.perSecond).median / of(bare, (f) => f.perSecond).median };
}

const plain = (name: string) => name.replace(/\*/g, '');

function rows(r: DatabaseResult): string[][] {
  const bare = r.tools.find((t) => t.baseline);
  return r.tools.map((t) => [
    r.db.label,
    t.name,
    showSpread(of(t, (f) => f.perSecond)),
    t.baseline ? '1.00×' : showSpread(ratioTo(bare, t), 2, '×'),
    fmt(of(t, (f) => f.p50).median, 0),
    fmt(of(t, (f) => f.p99).median, 0),
    showSpread(of(t, (f) => f.toolCpuMs)),
    String(t.runs.reduce((n, f) => n + f.errors, 0)),
  ]);
}

/** "met" on the median; a spread that reaches across the target is said, so noise is not read as a result. */
function verdictNote(s: Spread, target: number, higherIsBetter: boolean): string {
  const straddles = higherIsBetter ? s.min < target && s.max >= target : s.min <= target && s.max > target;
  return straddles ? '; runs on both sides of the target' : '';
}

function targetsFor(r: DatabaseResult): TargetCheck[] {
  const bare = r.tools.find((t) => t.baseline);
  const examgate = r.tools.find((t) => t.examgate);
  const ratio = ratioTo(bare, examgate);
  const cpu = of(examgate, (f) => f.toolCpuMs);
  const failed = r.tools.some((t) => t.runs.some((f) => f.errors > 0));
  const rate = (t: ToolResult | undefined) => fmt(of(t, (f) => f.perSecond).median);
  const targets: TargetCheck[] = [
    {
      figure: `launches/s vs bare ltijs, ${r.db.label}`,
      target: `≥ ${RATIO_TARGET}×`,
      measured:
        `${fmt(ratio.median, 2)}× (${rate(examgate)} vs ${rate(bare)}/s; run pairs ${fmt(ratio.min, 2)}–${fmt(ratio.max, 2)}×` +
        `${verdictNote(ratio, RATIO_TARGET, true)})${failed ? ', with failed launches' : ''}`,
      met: !failed && ratio.median >= RATIO_TARGET,
    },
    {
      figure: `examgate CPU per complete launch, ${r.db.label}`,
      target: `≤ ${CPU_TARGET_MS} ms`,
      measured: `${showSpread(cpu, 1, ' ms')}${verdictNote(cpu, CPU_TARGET_MS, false)}`,
      met: cpu.median <= CPU_TARGET_MS,
    },
  ];
  if (r.db.label === P99_TARGET_DATABASE) {
    const p99 = of(examgate, (f) => f.p99);
    targets.push({
      figure: `p99 at 16 concurrent, ${r.db.label}`,
      target: `< ${P99_TARGET_MS} ms`,
      measured: `${showSpread(p99, 0, ' ms')}${verdictNote(p99, P99_TARGET_MS, false)}`,
      met: p99.median < P99_TARGET_MS,
    });
  }
  return targets;
}

function method(plan: Plan): string[] {
  return [
    `A complete launch is what a person clicking the activity in the LMS causes: OIDC login initiation at the tool → ` +
      `the LMS's auth endpoint (signs an RS256 id_token) → form POST of the id_token to the tool → the tool's redirect, ` +
      `followed → its landing page (examgate: \`/app…\`; bare ltijs: \`/?ltik=…\` rendered by \`onConnect\`). Latency runs ` +
      `from the first request to the last byte of the landing page. Every launch is a different learner in one course. ` +
      `examgate's first login in a browser also comes back once to \`/lti/login/continue\` (its cookie check); each ` +
      `virtual user keeps its browser, so only its first launch, in the warm-up, pays that hop.`,
    `${plan.concurrency} virtual users, each with its own cookie-keeping simulated browser, in a closed loop; after ` +
      `${plan.warmup} warm-up launches per tool, ${plan.runs} runs of ${plan.launches} launches per tool. Figures are the ` +
      `median of the runs with their spread (min–max) in brackets; a ratio's spread is that of the run pairs.`,
    `What is measured is the production build: the bench compiles it first (\`tsconfig.build.json\`, as \`npm run build\`) ` +
      `and runs examgate as \`node dist/src/main.js\` with \`NODE_ENV=production\` (no TypeScript runtime), with only the ` +
      `bench's CPU probe loaded beside it; its LMS speaks https (production refuses plain-http LMS addresses) from a CA ` +
      `made for the run. The baseline is \`bench/bare-ltijs-tool.ts\`, compiled too (ltijs 5.9.9 on ltijs-sequelize, ` +
      `platform registered with \`authConfig: {method: 'JWK_SET'}\`), launched over plain http: it fetches the LMS's key ` +
      `set on every launch, and TLS there would slow the baseline, not examgate. The https LMS costs the bench process, ` +
      `which shares a core with the database, a little more per examgate launch.`,
    `Fairness on 2 cores: each tool runs in its own process (ltijs is a per-process singleton). Both are measured in the ` +
      `same run on the same kind of database (each its own, empty one), launched by simulated LMSs that live with the ` +
      `load generator in the bench process, and their runs alternate (A B, B A, …) so noise on the shared machine hits ` +
      `both alike. A tool's JavaScript runs on one thread, so it can use about one core; the bench process (the LMS's RSA ` +
      `signing, the HTTP client) and the database server share the other. The simulated browsers speak node:http(s) ` +
      `rather than fetch, which costs ~0.3 ms more CPU per request that the load generator would take from the tools. ` +
      `The baseline gets examgate's PostgreSQL pool size (20) but none of examgate's SQLite pragmas (a stock ` +
      `ltijs-sequelize tool sets none); both accept id_tokens up to ${TOKEN_MAX_AGE_SECONDS} s old.`,
    `"tool CPU" is process.cpuUsage() of the tool's process over a run divided by its launches (user + system, all ` +
      `threads, read over the bench's IPC channel); the database server's CPU is not in it. When both cores are near ` +
      `100% busy, launches/s understates the cheaper tool; the CPU column does not.`,
  ];
}

function notes(results: DatabaseResult[], plan: Plan, ctx: BenchContext): string[] {
  const lines = results.map((r) => {
    const examgate = r.tools.find((t) => t.examgate);
    const bare = r.tools.find((t) => t.baseline);
    const bench = r.tools.map((t) => `${fmt(of(t, (f) => f.benchCpuMs).median)} ms per ${plain(t.name)} launch`);
    const all = r.tools.flatMap((t) => t.runs);
    const busy = spread(all.map((f) => f.busy * 100));
    const load = spread(all.map((f) => f.loadAverage));
    const cpuRatio = of(bare, (f) => f.toolCpuMs).median / of(examgate, (f) => f.toolCpuMs).median;
    return (
      `${r.db.label}: examgate used ${fmt(of(examgate, (f) => f.toolCpuMs).median)} ms of CPU per launch against bare ` +
      `ltijs's ${fmt(of(bare, (f) => f.toolCpuMs).median)} ms (${fmt(cpuRatio, 2)}× less). The bench process used ` +
      `${bench.join(', ')}. Both cores were ${showSpread(busy, 0, '%')} busy during the runs; the 1-minute load average ` +
      `was ${showSpread(load, 1)} (2 cores: above 2, other work on the machine was waiting for a core too).`
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
        columns: ['database', 'tool', 'launches/s', 'vs bare', 'p50 ms', 'p99 ms', 'tool CPU ms/launch', 'failed'],
        rows: results.flatMap(rows),
      },
    ],
    targets: results.flatMap(targetsFor),
    notes: notes(results, plan, ctx),
  };
}
