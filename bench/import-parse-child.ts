/**
 * The 100 000-row parse + validate figure, in a process of its own so its memory is its own:
 * reads the CSV file named by argv[2] through examgate's compiled CSV reader (dist/, as
 * production runs it) with a 13-column permanent-user schema (seed 004's columns), rows
 * streamed to a counter rather than kept. Prints one JSON line: ms, rows, rejected, peak RSS
 * and peak V8 heap (sampled every 2000 rows and at the end).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as ReaderModule from '../src/imports/csv-reader.js';
import type { ImportSchema } from '../src/imports/import-schema.js';
import { SEED_004_COLUMNS } from './seed-004-columns.js';

const { readCsv } = (await import(
  pathToFileURL(path.resolve(import.meta.dirname, '..', 'dist', 'src', 'imports', 'csv-reader.js')).href
)) as typeof ReaderModule;

const USERNAME = /^[\p{L}\p{N}@_.-]{1,500}$/u;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const YES_NO = new Set(['', 'yes', 'no', 'true', 'false', '0', '1']);

type UserRow = Record<string, string>;
const keyOf = (label: string) => label.replace(/\W+/g, '_').toLowerCase();

/** What the permanent-user import will check (the later issue's schema, approximated): names, e-mail, role, flags. */
const schema: ImportSchema<UserRow> = {
  columns: SEED_004_COLUMNS.map((label, i) => ({ key: keyOf(label), label, aliases: [], required: i < 2 })),
  parseRow(cells) {
    const username = cells.username ?? '';
    if (!USERNAME.test(username)) {
      return { ok: false, column: 'Username', reason: 'is not a valid username.' };
    }
    const email = cells[keyOf('Email ID of the Candidate')] ?? '';
    if (email !== '' && !EMAIL.test(email)) {
      return { ok: false, column: 'Email ID of the Candidate', reason: 'is not an e-mail address.' };
    }
    if (!['candidate', 'invigilator', 'marker', ''].includes((cells.role ?? '').toLowerCase())) {
      return { ok: false, column: 'Role', reason: 'is not a role.' };
    }
    for (const flag of ['deleted', 'eligible']) {
      if (!YES_NO.has((cells[flag] ?? '').toLowerCase())) {
        return { ok: false, column: flag, reason: 'is not yes or no.' };
      }
    }
    return { ok: true, row: { ...cells } };
  },
  uniqueKey: (row) => (row.username ?? '').toLowerCase(),
};

const bytes = readFileSync(process.argv[2]!);
let peakHeap = 0;
let rows = 0;
const sample = () => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
};
const t0 = performance.now();
const read = readCsv(bytes, schema, { maxRows: 1_000_000, maxFieldChars: 1000 }, () => {
  rows += 1;
  if (rows % 2000 === 0) {
    sample();
  }
});
const ms = performance.now() - t0;
sample();
const mib = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
console.log(
  JSON.stringify({
    ms,
    rows,
    rejected: read.rejected.length,
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    peakHeapMiB: mib(peakHeap),
    fileMiB: mib(bytes.length),
  }),
);
