import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { postgresCommits } from '../databases.js';
import { measureFloor, type FloorFigures } from '../floor.js';
import { runLaunches } from '../load.js';
import { CATEGORIES, summariseProfile, type ProfileSummary } from '../profile-summary.js';
import type { SectionReport } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt } from '../stats.js';
import { startExamgate, type RunningTool } from './launch-tools.js';

/** What a launch cannot do without: the HTTP exchanges at the tool, the signature check, the rows it must write. */
const FLOOR_PARTS = {
  /** Login initiation, the id_token's form post, the landing page (the auth step is the LMS's). */
  httpExchanges: 3,
  /** The login's state and nonce, the login throttle's count, the login consumed, the session. */
  rowWrites: 4,
  rs256Verifies: 1,
};

const SAMPLING_INTERVAL_US = 500;

interface Measured {
  launches: number;
  failed: number;
  /** CPU per launch of a run without the profiler (all threads, process.cpuUsage). */
  cpuMsPerLaunch: number;
  /** Of which the kernel's (system time: sockets and other system calls). */
  systemMsPerLaunch: number;
  commitsPerLaunch: number | null;
  summary: ProfileSummary;
  profileFile: string;
}

/** CPU and committed transactions per launch over one run of `launches`. */
async function measuredRun(tool: RunningTool, launches: number, commits: (() => Promise<number>) | null) {
  // PostgreSQL publishes an idle connection's counts within about ten seconds.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 11_000));
  await settle();
  const commits0 = await commits?.();
  const cpu0 = await tool.process.cpuSplit();
  const load = await runLaunches(tool.target, launches, 16);
  const cpu1 = await tool.process.cpuSplit();
  await settle();
  const commits1 = await commits?.();
  return {
    load,
    cpuMsPerLaunch: (cpu1.userMs + cpu1.systemMs - cpu0.userMs - cpu0.systemMs) / load.launches,
    systemMsPerLaunch: (cpu1.systemMs - cpu0.systemMs) / load.launches,
    // The reading itself is a transaction too.
    commitsPerLaunch: commits0 !== undefined && commits1 !== undefined ? (commits1 - commits0 - 1) / load.launches : null,
  };
}

async function profileLaunches(ctx: BenchContext, launches: number, dir: string): Promise<Measured> {
  const db = ctx.databases.find((d) => d.kind === 'postgres') ?? ctx.databases[0]!;
  const tool = await startExamgate(db, ctx);
  try {
    await runLaunches(tool.target, ctx.quick ? 48 : 200, 16);
    const plain = await measuredRun(tool, launches, db.kind === 'postgres' ? () => postgresCommits(tool.databaseUrl) : null);
    await tool.process.startProfile(SAMPLING_INTERVAL_US);
    const profiled = await runLaunches(tool.target, launches, 16);
    const profileFile = path.join(dir, `examgate-${db.kind}-launches.cpuprofile`);
    await tool.process.stopProfile(profileFile);
    return {
      launches: plain.load.launches,
      failed: plain.load.errors + profiled.errors,
      cpuMsPerLaunch: plain.cpuMsPerLaunch,
      systemMsPerLaunch: plain.systemMsPerLaunch,
      commitsPerLaunch: plain.commitsPerLaunch,
      summary: summariseProfile(profileFile),
      profileFile,
    };
  } finally {
    await tool.stop();
  }
}

function breakdownRows(m: Measured): string[][] {
  const share = (category: (typeof CATEGORIES)[number]) => (m.summary.byCategory.get(category) ?? 0) / m.summary.busySamples;
  const rows = CATEGORIES.map((category) => [category, `${fmt(share(category) * 100, 0)}%`, fmt(share(category) * m.cpuMsPerLaunch, 2)]);
  rows.push(['**one complete launch**', '100%', `**${fmt(m.cpuMsPerLaunch, 2)}**`]);
  return rows;
}

function floorRows(f: FloorFigures): string[][] {
  const part = (name: string, each: number, count: number) => [name, fmt(each, 3), String(count), fmt(each * count, 2)];
  const rows = [
    part('HTTP exchange at a bare node:http server', f.httpExchangeMs, FLOOR_PARTS.httpExchanges),
    part('single-row INSERT through the driver alone', f.rowWriteMs, FLOOR_PARTS.rowWrites),
    part('RS256 verify (2048-bit key, id_token-sized)', f.rs256VerifyMs, FLOOR_PARTS.rs256Verifies),
  ];
  const total =
    f.httpExchangeMs * FLOOR_PARTS.httpExchanges + f.rowWriteMs * FLOOR_PARTS.rowWrites + f.rs256VerifyMs * FLOOR_PARTS.rs256Verifies;
  rows.push(['**floor of one launch**', '', '', `**${fmt(total, 2)}**`]);
  return rows;
}

/** BENCHMARKS.md: where one launch's CPU goes in the production build, next to what a launch physically needs. */
export const launchProfileSection: BenchSection = {
  id: 'launch-profile',
  title: 'Where one launch’s CPU goes',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const dir = ctx.cpuProfileDir ?? mkdtempSync(path.join(tmpdir(), 'examgate-bench-profile-'));
    mkdirSync(dir, { recursive: true });
    const launches = ctx.overrides.launches ?? (ctx.quick ? 200 : 1000);
    try {
      ctx.log(`launch profile: ${launches} launches of the production build, then as many under V8's sampling profiler`);
      const measured = await profileLaunches(ctx, launches, dir);
      const db = ctx.databases.find((d) => d.kind === 'postgres') ?? ctx.databases[0]!;
      ctx.log(`launch profile: the physical floor on ${db.label}`);
      const floor = await measureFloor(db);
      return {
        title: this.title,
        method: [
          `examgate's production build on ${db.label}, launched as in the launch section (16 concurrent learners): after a ` +
            `warm-up, ${measured.launches} launches measure its CPU per launch (all threads, process.cpuUsage: ` +
            `${fmt(measured.cpuMsPerLaunch, 2)} ms, of which ${fmt(measured.systemMsPerLaunch, 2)} ms in the kernel: ` +
            `sockets and other system calls), then as many again run under V8's sampling profiler (every ` +
            `${SAMPLING_INTERVAL_US} µs). Each busy sample goes to the part of the code nearest the leaf of its stack that the ` +
            `table names (bench/profile-summary.ts): a socket write under the PostgreSQL driver is the database's, the same ` +
            `write under node:http is HTTP's. Samples are counted rather than weighed by wall time, so time spent waiting for ` +
            `a core on a busy machine is not charged to what was interrupted; a part's milliseconds are its share of the ` +
            `measured CPU.` +
            (measured.commitsPerLaunch !== null
              ? ` PostgreSQL counted ${fmt(measured.commitsPerLaunch, 1)} committed transactions per launch (each statement ` +
                `outside a transaction is one): the database round trips a launch makes.`
              : ''),
          `The physical floor is what any launch must do at the tool, measured on the same machine: the HTTP exchanges ` +
            `(login initiation, the id_token's form post, the landing page) at a node:http server that does nothing ` +
            `else, single-row INSERTs through the database driver with no ORM (the login's state and nonce, the login ` +
            `throttle's count, the login consumed, the session), and one RS256 signature check.`,
        ],
        tables: [
          {
            caption: 'One launch, by part (production build)',
            columns: ['part', 'share', '≈ ms per launch'],
            rows: breakdownRows(measured),
          },
          {
            caption: `The physical floor (${db.label})`,
            columns: ['what', 'CPU ms each', 'per launch', 'ms per launch'],
            rows: floorRows(floor),
          },
        ],
        targets: [],
        notes: [
          ...(measured.failed > 0 ? [`${measured.failed} of the measured launches failed.`] : []),
          ...(ctx.cpuProfileDir ? [`The profile is in ${measured.profileFile} (open it in Chrome DevTools → Performance).`] : []),
          ...(ctx.quick ? ['Quick run (`--quick`): too few launches for the record.'] : []),
        ],
      };
    } finally {
      if (!ctx.cpuProfileDir) {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  },
};
