import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { BenchDatabase } from '../databases.js';
import { activeExam, staffOf, type Staff } from '../exam-setup.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, mbOfMib, median } from '../stats.js';
import { startExamgate } from './launch-tools.js';
import { seed004UsersFile } from '../seed-004-file.js';
import { postgresCopyMs } from '../postgres-copy.js';

const CANDIDATES = 1500;
const UPLOAD_TARGET_MS = 1000;
const BIG_ROWS = 100_000;
/** DESIGN.md's 300 MB, in decimal megabytes (the peak is read in MiB: see mbOfMib). */
const MEMORY_TARGET_MB = 300;
const CHILD = path.resolve(import.meta.dirname, '..', 'import-parse-child.ts');

interface UploadRun {
  previewMs: number;
  commitMs: number;
  totalMs: number;
}

const oneTimeFile = (run: number) =>
  Buffer.from(
    `Candidate ID;Extra time\r\n${Array.from({ length: CANDIDATES }, (_, i) => `R${run}-${String(i + 1).padStart(4, '0')};${i % 4 === 0 ? 15 : ''}`).join('\r\n')}\r\n`,
  );

/** Upload → preview (303) → the preview page → commit (303): the instructor's whole import, as the browser makes it. */
async function uploadAndCommit(staff: Staff, examId: string, run: number): Promise<UploadRun> {
  const page = `/app/exams/${examId}/candidates`;
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await staff.browser.follow(`${staff.url}${page}`)).body)?.[1] ?? '';
  const boundary = `----bench${run}`;
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="room.csv"\r\nContent-Type: text/csv\r\n\r\n`,
    ),
    oneTimeFile(run),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const t0 = performance.now();
  const uploaded = await staff.browser.request(`${staff.url}${page}/one-time/import`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  await uploaded.arrayBuffer();
  const location = uploaded.headers.get('location');
  if (uploaded.status !== 303 || !location) {
    throw new Error(`the upload answered ${uploaded.status}`);
  }
  const preview = await staff.browser.follow(`${staff.url}${location}`);
  const previewMs = performance.now() - t0;
  if (!preview.body.includes(`${CANDIDATES} to add`)) {
    throw new Error(`the preview does not plan ${CANDIDATES} additions`);
  }
  const t1 = performance.now();
  const committed = await staff.browser.request(`${staff.url}${location}/commit`, {
    method: 'POST',
    form: { _csrf: /name="_csrf" value="([^"]+)"/.exec(preview.body)?.[1] ?? '' },
  });
  await committed.arrayBuffer();
  const commitMs = performance.now() - t1;
  if (committed.status !== 303) {
    throw new Error(`the commit answered ${committed.status}`);
  }
  return { previewMs, commitMs, totalMs: performance.now() - t0 };
}

async function uploadsOn(db: BenchDatabase, ctx: BenchContext): Promise<UploadRun[]> {
  ctx.log(`imports: starting examgate on ${db.label}`);
  const tool = await startExamgate(db, ctx);
  try {
    const staff = await staffOf(tool, tool.url);
    const runs: UploadRun[] = [];
    for (let i = 0; i < (ctx.overrides.runs ?? (ctx.quick ? 2 : 5)); i += 1) {
      runs.push(await uploadAndCommit(staff, await activeExam(staff, `Import bench ${i}`), i));
    }
    ctx.log(`imports: ${db.label}: upload → committed median ${fmt(median(runs.map((r) => r.totalMs)), 0)} ms`);
    return runs;
  } finally {
    await tool.stop();
  }
}

interface ParseFigures {
  ms: number;
  rows: number;
  rejected: number;
  peakRssMiB: number;
  peakHeapMiB: number;
  fileMiB: number;
}

function parseInChild(file: string): Promise<ParseFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as ParseFigures) : reject(new Error(`the parse child exited ${code}`)),
    );
  });
}

/** DESIGN.md: a 1500-row one-time CSV upload to committed < 1 s; 100 000 rows parsed + validated streamed in < 300 MB, beside PostgreSQL's COPY. */
export const importsSection: BenchSection = {
  id: 'imports',
  title: 'CSV imports: 1500 one-time users, and 100 000 rows parsed',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const uploads: Array<{ db: BenchDatabase; runs: UploadRun[] }> = [];
    for (const db of ctx.databases) {
      uploads.push({ db, runs: await uploadsOn(db, ctx) });
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'examgate-bench-import-'));
    chmodSync(dir, 0o755);
    const file = path.join(dir, 'users-100000.csv');
    try {
      writeFileSync(file, seed004UsersFile(BIG_ROWS, { passwords: true }), { mode: 0o644 });
      ctx.log('imports: parsing 100 000 rows');
      const parse = await parseInChild(file);
      const copy = await postgresCopyMs(
        ctx.databases.find((d) => d.kind === 'postgres'),
        file,
        'import_copy',
      );
      const worst = (runs: UploadRun[]) => Math.max(...runs.map((r) => r.totalMs));
      const targets: TargetCheck[] = [
        ...uploads.map(({ db, runs }) => ({
          figure: `1500-row one-time CSV, upload to committed, ${db.label}`,
          target: `< ${UPLOAD_TARGET_MS / 1000} s`,
          measured: `${fmt(median(runs.map((r) => r.totalMs)), 0)} ms median, ${fmt(worst(runs), 0)} ms slowest`,
          met: worst(runs) < UPLOAD_TARGET_MS,
        })),
        {
          figure: '100 000-row, 13-column CSV through parse + validate: peak memory',
          target: `< ${MEMORY_TARGET_MB} MB`,
          measured: `${fmt(parse.peakRssMiB, 0)} MiB RSS, ${fmt(parse.peakHeapMiB, 0)} MiB heap (${fmt(parse.ms, 0)} ms)`,
          met: mbOfMib(parse.peakRssMiB) < MEMORY_TARGET_MB,
        },
      ];
      return {
        title: this.title,
        method: [
          `examgate's production build on each database; an instructor uploads a ${CANDIDATES}-row \`Candidate ID;Extra time\` file on the candidates page (multipart, as the browser sends it), reads the preview, and commits; measured from the upload's first byte to the commit's answer, on a fresh test each run.`,
          `A ${BIG_ROWS.toLocaleString('en')}-row file with seed 004's 13 columns (${fmt(parse.fileMiB, 1)} MiB) goes through the compiled CSV reader in a process of its own with a 13-column schema (username, e-mail, role and flag checks, unique usernames), rows streamed to a counter; its peak RSS is the process's, its heap sampled every 2000 rows. PostgreSQL's own \`COPY\` then loads the same file into a table of 13 text columns.`,
          ctx.quick ? 'A quick run (`--quick`): the figures are not for the record.' : '',
        ].filter(Boolean),
        tables: [
          {
            columns: ['database', 'upload → preview', 'commit', 'upload → committed (median)', 'slowest'],
            rows: uploads.map(({ db, runs }) => [
              db.label,
              `${fmt(median(runs.map((r) => r.previewMs)), 0)} ms`,
              `${fmt(median(runs.map((r) => r.commitMs)), 0)} ms`,
              `${fmt(median(runs.map((r) => r.totalMs)), 0)} ms`,
              `${fmt(worst(runs), 0)} ms`,
            ]),
          },
          {
            columns: ['100 000 rows', 'time', 'rows accepted', 'peak RSS', 'peak heap'],
            rows: [
              [
                'examgate parse + validate',
                `${fmt(parse.ms, 0)} ms`,
                String(parse.rows),
                `${fmt(parse.peakRssMiB, 0)} MiB`,
                `${fmt(parse.peakHeapMiB, 0)} MiB`,
              ],
              ['PostgreSQL COPY', typeof copy === 'number' ? `${fmt(copy, 0)} ms` : copy, '', '', ''],
              ['ratio (parse ÷ COPY)', typeof copy === 'number' ? `${fmt(parse.ms / copy, 1)}×` : '—', '', '', ''],
            ],
          },
        ],
        targets,
        notes: [
          'The reader holds the decoded text of the file and the set of usernames seen, never the rows: each accepted row goes to the caller as it is read (a generator over the text).',
        ],
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
