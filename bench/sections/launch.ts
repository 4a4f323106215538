import os from 'node:os';
import type { BenchDatabase } from '../databases.js';
import { runLaunches } from '../load.js';
import { machineBusy } from '../machine.js';
import type { SectionReport } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, percentile } from '../stats.js';
import { launchReport, type DatabaseResult, type Plan, type RunFigures, type ToolResult } from './launch-report.js';
import { startBareLtijs, startExamgate, type RunningTool } from './launch-tools.js';

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
  for (const sample of load.errorSamples) {
    log(`    ${tool.target.name}: failed launch: ${sample}`);
  }
  return {
    perSecond: ((load.launches - load.errors) / load.wallMs) * 1000,
    p50: percentile(load.latenciesMs, 50),
    p99: percentile(load.latenciesMs, 99),
    toolCpuMs: toolCpuMs / load.launches,
    benchCpuMs: (benchCpu.user + benchCpu.system) / 1000 / load.launches,
    busy,
    loadAverage: os.loadavg()[0] ?? Number.NaN,
    errors: load.errors,
  };
}

type Started = [RunningTool, Omit<ToolResult, 'runs' | 'warmupFailures'>];

/** The baseline, examgate, and the examgate of any --compare-checkout, started side by side. */
async function startTools(db: BenchDatabase, ctx: BenchContext): Promise<Array<[RunningTool, ToolResult]>> {
  const starting: Array<Promise<Started>> = [
    startBareLtijs(db, ctx).then((t): Started => [t, { name: 'bare ltijs 5.9.9', baseline: true, examgate: false }]),
    startExamgate(db, ctx).then((t): Started => [t, { name: '**examgate**', baseline: false, examgate: true }]),
    ...ctx.compareCheckouts.map((dir) =>
      startExamgate(db, ctx, dir).then((t): Started => [t, { name: `examgate at \`${dir}\``, baseline: false, examgate: false }]),
    ),
  ];
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
      if (warm.errors > 0 && process.env.BENCH_DEBUG) {
        ctx.log(`${tool.target.name}'s output:\n${tool.process.output}`);
      }
    }
    for (let run = 0; run < plan.runs; run += 1) {
      for (const [tool, result] of run % 2 === 0 ? tools : [...tools].reverse()) {
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

/** DESIGN.md: complete launches at ≥ 2× a bare ltijs tool's rate, ≤ 5 ms of examgate CPU each, p99 under 150 ms at 16 concurrent on PostgreSQL. */
export const launchSection: BenchSection = {
  id: 'launch',
  title: 'Complete LMS launches (16 concurrent)',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const plan = planOf(ctx);
    const results: DatabaseResult[] = [];
    for (const db of ctx.databases) {
      results.push(await measureOn(db, plan, ctx));
    }
    return launchReport(this.title, results, plan, ctx);
  },
};
