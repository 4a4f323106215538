import { spawn } from 'node:child_process';
import path from 'node:path';
import type { SectionReport } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, median } from '../stats.js';

const TARGET_MS = 5000;
const CHILD = path.resolve(import.meta.dirname, '..', 'roster-sync-child.ts');

interface ChildFigures {
  members: number;
  runs: Array<{
    firstMs: number;
    firstResult: Record<string, number>;
    resyncMs: number;
    resyncResult: Record<string, number>;
    resyncWroteCandidates: boolean;
  }>;
}

function runChild(databaseUrl: string, runs: number, tls: BenchContext['tls']): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    // The child is the bench's harness (TypeScript); the examgate it starts is the compiled build.
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        BENCH_ROSTER_RUNS: String(runs),
        NODE_EXTRA_CA_CERTS: tls.caFile,
        BENCH_TLS_KEY: tls.keyFile,
        BENCH_TLS_CERT: tls.certFile,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) {
        reject(new Error(`roster-sync child exited ${code}: ${out.slice(-500)}`));
        return;
      }
      resolve(JSON.parse(line) as ChildFigures);
    });
  });
}

/** DESIGN.md: a 5000-member roster sync (NRPS pages of 100) under 5 s; a re-sync with no change writes nothing. */
export const rosterSyncSection: BenchSection = {
  id: 'roster-sync',
  title: 'Roster sync of a 5000-member course',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const runs = ctx.overrides.runs ?? (ctx.quick ? 1 : 3);
    const rows: string[][] = [];
    const targets = [];
    for (const db of ctx.databases) {
      ctx.log(`roster sync on ${db.label}: ${runs} run(s)`);
      const figures = await runChild(await db.fresh('roster-sync'), runs, ctx.tls);
      const first = median(figures.runs.map((r) => r.firstMs));
      const resync = median(figures.runs.map((r) => r.resyncMs));
      const wrote = figures.runs.some((r) => r.resyncWroteCandidates);
      const sample = figures.runs[0]!;
      rows.push([
        db.label,
        String(figures.members),
        `${sample.firstResult.added} added, ${sample.firstResult.overCap} over the cap`,
        `${fmt(first)} ms`,
        `${fmt(resync)} ms`,
        wrote ? 'yes (defect)' : 'none',
      ]);
      targets.push(
        {
          figure: `first sync, 5000 members, ${db.label}`,
          target: `< ${TARGET_MS} ms`,
          measured: `${fmt(first)} ms`,
          met: first < TARGET_MS,
        },
        {
          figure: `no-change re-sync, ${db.label}`,
          target: 'writes nothing',
          measured: wrote ? 'wrote candidate rows' : 'no candidate row written',
          met: !wrote,
        },
      );
    }
    return {
      title: this.title,
      method: [
        `A simulated LMS serves a course of 5000 learners over NRPS in pages of 100 (50 requests, each with the access token examgate gets from the LMS's token endpoint). ` +
          `examgate's production build (\`dist/\`, \`NODE_ENV=production\`) runs in a child process, the LMS over https; an instructor creates a test, which starts its first sync, then presses **Sync now** with nothing changed. ` +
          `Durations are the job's own (started → finished, from the jobs table), median of ${runs} run(s), each on a new test.`,
        'A test holds at most 1500 candidates (DESIGN.md), so the first sync reads all 5000 members, adds 1500 and reports the other 3500 as over the cap.',
      ],
      tables: [
        {
          columns: [
            'database',
            'members',
            'first sync',
            'first sync (median)',
            'no-change re-sync (median)',
            'candidate rows written by re-sync',
          ],
          rows,
        },
      ],
      targets,
      notes: [],
    };
  },
};
