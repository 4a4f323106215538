import os from 'node:os';
import type { BenchDatabase } from '../databases.js';
import { runLaunches } from '../load.js';
import { machineBusy } from '../machine.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, median, percentile } from '../stats.js';
import { startBareLtijs, startExamgate, TOKEN_MAX_AGE_SECONDS, type RunningTool } from './launch-tools.js';

const P99_TARGET_MS = 250;
const RATIO_TARGET = 2;

interface RunFigures {
  perSecond: number;
  p50: number;
  p99: number;
  toolCpuMs: number;
  benchCpuMs: number;
  busy: number;
  errors: number;
}

interface Plan {
  concurrency: number;
  warmup: number;
  runs: number;
  launches: number;
}

function planOf(ctx: BenchContext): Plan {
  const base = ctx.quick ? { concurrency: 16, warmup: 32, runs: 3, launches: 96 } : { concurrency: 16, warmup: 96, runs: 5, launches: 400 };
  const given = Object.entries(ctx.overrides).filter((e): e is [string, number] => e[1] !== undefined);
  return { ...base, ...Object.fromEntries(given) };
}

/** One measured run: CPU of the tool and of the bench process, wall time, latencies. */
async function measure(tool: RunningTool, plan: Plan, log: (m: string) => void): Promise<RunFigures> {
  const toolCpu0 = await tool.process.cpuMs();
  const benchCpu0 = process.cpuUsage();
  const cpus0 = os.cpus();
  const load = await runLaunches(tool.target, plan.launches, plan.concurrency);
  const busy = machineBusy(cpus0, os.cpus());
  const benchCpu = process.cpuUsage(benchCpu0);
  const toolCpuMs = (await tool.process.cpuMs()) - toolCpu0;
  const ok = load.launches - load.errors;
  for (const sample of load.errorSamples) {
    log(`    ${tool.target.name}: failed launch: ${sample}`);
  }
  return {
    perSecond: (ok / load.wallMs) * 1000,
    p50: percentile(load.latenciesMs, 50),
    p99: percentile(load.latenciesMs, 99),
    toolCpuMs: toolCpuMs / load.launches,
    benchCpuMs: (benchCpu.user + benchCpu.system) / 1000 / load.launches,
    busy,
    errors: load.errors,
  };
}

interface ToolResult {
  name: string;
  baseline: boolean;
  examgate: boolean;
  runs: RunFigures[];
  warmupFailures: { count: number; sample?: string };
}

interface DatabaseResult {
  db: BenchDatabase;
  tools: ToolResult[];
}

async function startTools(db: BenchDatabase, ctx: BenchContext): Promise<Array<[RunningTool, ToolResult]>> {
  const starting: Array<Promise<[RunningTool, Omit<ToolResult, 'runs' | 'warmupFailures'>]>> = [
    startBareLtijs(db, ctx.cpuProfileDir).then((t) => [t, { name: 'bare ltijs 5.9.9', baseline: true, examgate: false }]),
    startExamgate(db, ctx.cpuProfileDir).then((t) => [t, { name: '**examgate**', baseline: false, examgate: true }]),
  ];
  for (const dir of ctx.compareCheckouts) {
    starting.push(
      startExamgate(db, ctx.cpuProfileDir, dir).then((t) => [t, { name: `examgate at \`${dir}\``, baseline: false, examgate: false }]),
    );
  }
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(started.map(([tool]) => tool.stop()));
    throw failed.reason;
  }
  return started.map(([tool, info]) => [tool, { ...info, runs: [], warmupFailures: { count: 0 } }]);
}

/** The tools run side by side; the order of their runs rotates so drift on a shared machine hits all alike. */
async function measureOn(db: BenchDatabase, plan: Plan, ctx: BenchContext): Promise<DatabaseResult> {
  ctx.log(`launch: starting the tools on ${db.label}`);
  const tools = await startTools(db, ctx);
  try {
    for (const [tool, result] of tools) {
      const warm = await runLaunches(tool.target, plan.warmup, plan.concurrency);
      result.warmupFailures = { count: warm.errors, sample: warm.errorSamples[0] };
      ctx.log(`launch: ${db.label} ${tool.target.name}: warm-up ${warm.launches} launches, ${warm.errors} failed`);
      for (const sample of warm.errorSamples) {
        ctx.log(`    ${tool.target.name}: failed warm-up launch: ${sample}`);
      }
      if (process.env.BENCH_DEBUG && warm.errors > 0) {
        ctx.log(tool.process.output);
      }
    }
    for (let run = 0; run < plan.runs; run += 1) {
      const order = run % 2 === 0 ? tools : [...tools].reverse();
      for (const [tool, result] of order) {
        const f = await measure(tool, plan, ctx.log);
        result.runs.push(f);
        ctx.log(
          `launch: ${db.label} run ${run + 1}/${plan.runs} ${tool.target.name}: ${fmt(f.perSecond)}/s, p50 ${fmt(f.p50, 0)} ms, ` +
            `p99 ${fmt(f.p99, 0)} ms, ${fmt(f.toolCpuMs)} ms CPU/launch, ${f.errors} failed`,
        );
      }
    }
    return { db, tools: tools.map(([, result]) => result) };
  } finally {
    await Promise.all(tools.map(([tool]) => tool.stop()));
  }
}

function medianOf(runs: RunFigures[], pick: (f: RunFigures) => number): number {
  return median(runs.map(pick));
}

function row(db: string, tool: string, runs: RunFigures[], ratio: string): string[] {
  return [
    db,
    tool,
    fmt(medianOf(runs, (f) => f.perSecond)),
    ratio,
    fmt(
      medianOf(runs, (f) => f.p50),
      0,
    ),
    fmt(
      medianOf(runs, (f) => f.p99),
      0,
    ),
    fmt(medianOf(runs, (f) => f.toolCpuMs)),
    runs.map((f) => fmt(f.perSecond, 0)).join(', '),
    String(runs.reduce((n, f) => n + f.errors, 0)),
  ];
}

function perSecond(tool: ToolResult | undefined): number {
  return tool ? medianOf(tool.runs, (f) => f.perSecond) : Number.NaN;
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
      `followed → its landing page (examgate: \`/app\`; bare ltijs: \`/?ltik=…\` rendered by \`onConnect\`). Latency is ` +
      `measured from the first request to the last byte of the landing page; every launch is a different learner.`,
    `${plan.concurrency} virtual users (one cookie-keeping simulated browser each, closed loop); after ${plan.warmup} warm-up ` +
      `launches per tool, ${plan.runs} runs of ${plan.launches} launches per tool; the table shows the median of the runs.`,
    `Fairness on 2 cores: each tool runs in its own process (ltijs is a singleton), and both are measured in the same run, ` +
      `on the same kind of database (each its own, empty database), launched by identical simulated LMSs that live with the ` +
      `load generator in the bench process. The tools' runs alternate (A B, B A, …) so noise from the shared machine hits ` +
      `both alike. A tool is one JavaScript thread, so it can use about one core; the bench process (LMS signing, HTTP ` +
      `client) and the database share the other — see "bench CPU" and "machine busy" below to judge whether the ` +
      `load generator was the limit. The baseline gets examgate's PostgreSQL pool size (20) but none of examgate's SQLite ` +
      `pragmas (a stock ltijs-sequelize tool sets none); both accept id_tokens up to ${TOKEN_MAX_AGE_SECONDS} s old.`,
    `"tool CPU" is process.cpuUsage() of the tool's process over the run divided by launches (user + system, all threads, ` +
      `read over the bench's IPC channel); the database server's own CPU is not in it.`,
  ];
}

export const launchSection: BenchSection = {
  id: 'launch',
  title: 'Complete LMS launches (16 concurrent)',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const plan = planOf(ctx);
    const results: DatabaseResult[] = [];
    for (const db of ctx.databases) {
      results.push(await measureOn(db, plan, ctx));
    }
    const rows = results.flatMap((r) => {
      const bare = perSecond(r.tools.find((t) => t.baseline));
      return r.tools.map((t) => row(r.db.label, t.name, t.runs, t.baseline ? '1.00×' : `${fmt(perSecond(t) / bare, 2)}×`));
    });
    const notes = results.map((r) => {
      const bench = r.tools.map((t) => `${fmt(medianOf(t.runs, (f) => f.benchCpuMs))} ms per ${t.name.replace(/\*/g, '')} launch`);
      const busy = medianOf(
        r.tools.flatMap((t) => t.runs),
        (f) => f.busy,
      );
      return `${r.db.label}: the bench process (LMS + load generator) used ${bench.join(', ')}; both cores were ${fmt(busy * 100, 0)}% busy during the runs (median).`;
    });
    for (const r of results) {
      for (const t of r.tools.filter((tool) => tool.warmupFailures.count > 0)) {
        notes.push(
          `${r.db.label}, ${t.name.replace(/\*/g, '')}: ${t.warmupFailures.count} of the ${plan.warmup} warm-up launches failed ` +
            `(not in the figures above): ${t.warmupFailures.sample?.slice(0, 120) ?? ''}`,
        );
      }
    }
    notes.push(...ctx.skippedDatabases.map((s) => `${s.label} was not measured: ${s.reason}.`));
    if (ctx.quick) {
      notes.push('Quick run (`--quick`): too few launches for the record.');
    }
    return {
      title: this.title,
      method: method(plan),
      tables: [
        {
          columns: ['database', 'tool', 'launches/s', 'vs bare', 'p50 ms', 'p99 ms', 'tool CPU ms/launch', 'runs (launches/s)', 'failed'],
          rows,
        },
      ],
      targets: results.flatMap(targetsFor),
      notes,
    };
  },
};
