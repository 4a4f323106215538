/**
 * `npm run bench [-- --quick] [--write] [--only launch] [--db sqlite|postgres] [--postgres-url URL]
 *  [--runs N] [--launches N] [--concurrency N] [--cpu-prof DIR] [--compare-checkout DIR]…`
 *
 * Runs the sections in bench/sections/index.ts on SQLite and, when reachable, PostgreSQL
 * (BENCH_DATABASE_URL or --postgres-url; default postgres://postgres@127.0.0.1:5432/examgate_bench),
 * prints the report and writes BENCHMARKS.md (a --quick run writes only with --write).
 *
 * First it compiles what it measures: examgate's production build (tsconfig.build.json, as
 * `npm run build`) of this tree and of each --compare-checkout, and its own tool processes.
 *
 * --cpu-prof DIR: the tool processes write V8 CPU profiles (one directory per tool).
 * --compare-checkout DIR: also measures the examgate of another working copy (e.g. a copy with a
 *   change reverted; its production build is made in DIR/dist), in the same interleaved runs,
 *   for a before/after figure. Each PostgreSQL examgate holds up to 40 connections (two pools),
 *   so keep within the server's max_connections.
 * BENCH_DEBUG=1: prints a tool's recent output when its warm-up launches fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeTestCertificates, writeTestCertificates } from '../test/support/tls/certificates.js';
import { buildForBench } from './build.js';
import { DEFAULT_POSTGRES_URL, postgresDatabase, postgresVersion, sqliteDatabase, type BenchDatabase } from './databases.js';
import { describeMachine } from './machine.js';
import { sectionMarkdown, updateReportFile } from './report.js';
import type { BenchContext } from './section.js';
import { SECTIONS } from './sections/index.js';

const REPORT_FILE = path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md');

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    write: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    db: { type: 'string' },
    'postgres-url': { type: 'string' },
    runs: { type: 'string' },
    launches: { type: 'string' },
    concurrency: { type: 'string' },
    'cpu-prof': { type: 'string' },
    'compare-checkout': { type: 'string', multiple: true },
  },
});

function count(name: 'runs' | 'launches' | 'concurrency'): number | undefined {
  const text = values[name];
  if (text === undefined) {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`--${name} must be a positive whole number, got ${text}`);
  }
  return n;
}

function log(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

async function databases(): Promise<{ dbs: BenchDatabase[]; skipped: BenchContext['skippedDatabases']; postgres?: string }> {
  const wanted = values.db ?? 'both';
  if (!['sqlite', 'postgres', 'both'].includes(wanted)) {
    throw new Error(`--db must be sqlite, postgres or both, got ${wanted}`);
  }
  const dbs: BenchDatabase[] = wanted === 'postgres' ? [] : [sqliteDatabase()];
  const skipped: BenchContext['skippedDatabases'] = [];
  if (wanted === 'sqlite') {
    return { dbs, skipped };
  }
  const url = values['postgres-url'] ?? process.env.BENCH_DATABASE_URL ?? DEFAULT_POSTGRES_URL;
  const version = await postgresVersion(url);
  if (!version) {
    const safe = new URL(url);
    safe.password = safe.password ? '***' : '';
    skipped.push({ label: 'PostgreSQL', reason: `nothing answered at ${safe.toString()}` });
    return { dbs, skipped };
  }
  dbs.push(postgresDatabase(url));
  return { dbs, skipped, postgres: version };
}

async function main(): Promise<void> {
  const only = values.only ?? [];
  const unknown = only.filter((id) => !SECTIONS.some((s) => s.id === id));
  if (unknown.length > 0) {
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${SECTIONS.map((s) => s.id).join(', ')}`);
  }
  const { dbs, skipped, postgres } = await databases();
  const machine = describeMachine(postgres);
  const compareCheckouts = (values['compare-checkout'] ?? []).map((dir) => path.resolve(dir));
  await buildForBench(compareCheckouts, log);
  const tlsDir = mkdtempSync(path.join(tmpdir(), 'examgate-bench-tls-'));
  const certificates = makeTestCertificates();
  const ctx: BenchContext = {
    quick: values.quick ?? false,
    databases: dbs,
    skippedDatabases: skipped,
    cpuProfileDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    compareCheckouts,
    tls: { ...certificates, ...writeTestCertificates(certificates, tlsDir) },
    overrides: { runs: count('runs'), launches: count('launches'), concurrency: count('concurrency') },
    log,
  };
  const measuredOn =
    `${machine.date}, commit ${machine.commit}, on ${machine.cpuModel} (${machine.cores} cores, ${machine.memoryGiB} GiB), ` +
    `Node.js ${machine.node}`;
  const rendered: Array<{ id: string; markdown: string }> = [];
  try {
    for (const section of SECTIONS.filter((s) => only.length === 0 || only.includes(s.id))) {
      log(`section ${section.id}: ${section.title}`);
      const report = await section.run(ctx);
      rendered.push({ id: section.id, markdown: sectionMarkdown(section.id, report, measuredOn) });
    }
  } finally {
    await Promise.all(dbs.map((db) => db.cleanup()));
    rmSync(tlsDir, { recursive: true, force: true });
  }
  process.stdout.write(`${rendered.map((r) => r.markdown).join('\n\n')}\n`);
  if (!ctx.quick || values.write) {
    updateReportFile(REPORT_FILE, machine, rendered);
    log(`wrote ${path.relative(process.cwd(), REPORT_FILE)}`);
  }
}

// Ending through process.exit lets the tool processes be stopped on the way out.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
