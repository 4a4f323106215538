import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchDatabase } from '../databases.js';
import { postgresCopyMs } from '../postgres-copy.js';
import type { SectionReport } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { seed004UsersFile } from '../seed-004-file.js';
import { bulkReport, type HashingFigures } from './bulk-report.js';
import { bulkUploadRun, type BulkUploadFigures } from './bulk-upload-run.js';
import { startExamgate } from './launch-tools.js';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const HASHING_CHILD = path.resolve(import.meta.dirname, '..', 'bulk-hashing-child.ts');
const THREADPOOL = pathToFileURL(path.join(REPO, 'dist', 'src', 'threadpool.js')).href;

/**
 * A fixed count, so runs compare. 64 rather than more: on a shared, busy 2-core machine a hash
 * has taken 400–700 ms, and the section should end within about three minutes.
 */
const HASHES = 64;

/** The bench examgate takes a file of this size: IMPORT_MAX_BYTES / IMPORT_MAX_ROWS raised as an operator would for such uploads. */
const UPLOAD_SETTINGS = { IMPORT_MAX_BYTES: String(64 * 1024 * 1024), IMPORT_MAX_ROWS: '200000' };

/** Production's scrypt cost (PASSWORD_HASH_COST in config/default.json; production.json does not change it). */
function productionHashCost(): number {
  const settings = (file: string) => JSON.parse(readFileSync(path.join(REPO, 'config', file), 'utf8')) as { PASSWORD_HASH_COST?: number };
  const cost = settings('production.json').PASSWORD_HASH_COST ?? settings('default.json').PASSWORD_HASH_COST;
  if (!Number.isInteger(cost)) {
    throw new Error('config/default.json names no PASSWORD_HASH_COST');
  }
  return cost!;
}

function hashInChild(count: number, log2N: number): Promise<HashingFigures> {
  return new Promise((resolve, reject) => {
    // Started as main.ts starts: the pool sized first (src/threadpool.ts), then the rest.
    const { UV_THREADPOOL_SIZE: _ours, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', THREADPOOL, '--import', 'tsx', HASHING_CHILD, String(count), String(log2N)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!) as HashingFigures)
        : reject(new Error(`the hashing child exited ${code}`)),
    );
  });
}

async function uploadOn(db: BenchDatabase, ctx: BenchContext, file: Buffer, rows: number): Promise<BulkUploadFigures> {
  ctx.log(`bulk: starting examgate on ${db.label}`);
  const tool = await startExamgate(db, ctx, undefined, UPLOAD_SETTINGS);
  try {
    const figures = await bulkUploadRun(tool, file, rows, ctx.quick ? 2_000 : 5_000);
    ctx.log(
      `bulk: ${db.label}: upload → preview ${Math.round(figures.previewMs)} ms (peak ${Math.round(figures.previewPeakMiB)} MiB), ` +
        `commit ${Math.round(figures.commitMs)} ms (peak ${Math.round(figures.commitPeakMiB)} MiB), ${figures.stored} users stored`,
    );
    return figures;
  } finally {
    await tool.stop();
  }
}

/**
 * DESIGN.md: a 100 000-user bulk upload (parse, validate, upsert, generated passwords) under
 * 15 s and 300 MB, beside PostgreSQL's COPY of the same file; the hashing job's rate on all
 * cores and on one, at production's cost.
 */
export const bulkSection: BenchSection = {
  id: 'bulk',
  title: 'Bulk upload of 100 000 permanent users, and the password hashing job',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const rows = ctx.quick ? 10_000 : 100_000;
    const loadBefore = loadavg()[0]!;
    const hashes = ctx.quick ? 8 : HASHES;
    const file = seed004UsersFile(rows, { passwords: false });
    const uploads: Array<{ db: BenchDatabase; figures: BulkUploadFigures }> = [];
    for (const db of ctx.databases) {
      uploads.push({ db, figures: await uploadOn(db, ctx, file, rows) });
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'examgate-bench-bulk-'));
    chmodSync(dir, 0o755);
    try {
      const csv = path.join(dir, `users-${rows}.csv`);
      writeFileSync(csv, file, { mode: 0o644 });
      ctx.log('bulk: PostgreSQL COPY of the same file');
      const copy = await postgresCopyMs(
        ctx.databases.find((d) => d.kind === 'postgres'),
        csv,
        'bulk_copy',
      );
      const log2N = productionHashCost();
      ctx.log(`bulk: ${hashes} scrypt hashes at cost ${log2N}, all cores and one`);
      const hashing = await hashInChild(hashes, log2N);
      const load = { before: loadBefore, after: loadavg()[0]! };
      return bulkReport({ quick: ctx.quick, rows, fileBytes: file.length, uploads, copy, hashing, load });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
