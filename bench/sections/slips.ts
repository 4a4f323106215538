import { decodeSlipQr, slipsOf } from '../../test/support/handout.js';
import type { BenchDatabase } from '../databases.js';
import { activate, activeExam, staffOf } from '../exam-setup.js';
import type { SectionReport, TargetCheck } from '../report.js';
import type { BenchContext, BenchSection } from '../section.js';
import { fmt, median } from '../stats.js';
import { timedDownload, type Download } from './export.js';
import { startExamgate } from './launch-tools.js';
import { BROWSER_CONNECTIONS as PHOTO_CONNECTIONS, measurePhotos, type PhotoFigures } from './slips-photos.js';

const CANDIDATES = 1500;
/** Proposed here (DESIGN.md names none): a print-out for a whole exam in well under the time staff wait for a page. */
const TARGET_MS = 2000;
/** Slips whose QR code is read back each run: every 50th. */
const SAMPLE_EVERY = 50;

interface DatabaseFigures {
  db: BenchDatabase;
  /** The first slips page, which also issues every candidate's link and code. */
  first: Download;
  pages: Download[];
  photos: PhotoFigures;
}

/** The page must hold one slip per candidate, each sampled QR code decoding to its slip's link, or the time means nothing. */
function checkSlips(bytes: Buffer): void {
  const slips = slipsOf(bytes.toString('utf8'));
  if (slips.length !== CANDIDATES) {
    throw new Error(`the slips page has ${slips.length} slips, not ${CANDIDATES}`);
  }
  for (let i = 0; i < slips.length; i += SAMPLE_EVERY) {
    const slip = slips[i]!;
    if (!slip.password || !slip.link || !slip.svg || decodeSlipQr(slip.svg) !== slip.link) {
      throw new Error(`slip ${i} of ${slip.candidateId} lacks its password or link, or its QR code does not decode to the link`);
    }
  }
}

async function measureOn(db: BenchDatabase, ctx: BenchContext): Promise<DatabaseFigures> {
  ctx.log(`slips: starting examgate on ${db.label}`);
  const tool = await startExamgate(db, ctx);
  try {
    const staff = await staffOf(tool, tool.url);
    const examId = await activeExam(staff, 'Slips bench');
    const page = `/app/exams/${examId}/candidates`;
    const generated = await staff.post(`${page}/one-time/generate`, { count: String(CANDIDATES), extraTimeMinutes: '' }, page);
    if (generated.status !== 303) {
      throw new Error(`generating ${CANDIDATES} one-time users answered ${generated.status}`);
    }
    await activate(staff, examId);
    const slipsPath = `/app/exams/${examId}/slips`;
    const first = await timedDownload(staff, tool.process, slipsPath);
    checkSlips(first.bytes);
    const runs = ctx.overrides.runs ?? (ctx.quick ? 2 : 7);
    const pages: Download[] = [];
    for (let i = 0; i < runs; i += 1) {
      pages.push(await timedDownload(staff, tool.process, slipsPath));
    }
    checkSlips(pages[pages.length - 1]!.bytes);
    ctx.log(`slips: ${db.label}: first ${fmt(first.ms, 0)} ms, median ${fmt(median(pages.map((d) => d.ms)), 0)} ms`);
    const photos = await measurePhotos(tool, staff, CANDIDATES, ctx);
    return { db, first, pages, photos };
  } finally {
    await tool.stop();
  }
}

const worst = (downloads: Download[]) => Math.max(...downloads.map((d) => d.ms));
const row = (label: string, downloads: Download[]) => [
  label,
  `${fmt(median(downloads.map((d) => d.ms)), 0)} ms`,
  `${fmt(worst(downloads), 0)} ms`,
  `${fmt(downloads[0]!.bytes.length / 1024, 0)} KiB`,
  `${fmt(Math.max(...downloads.map((d) => d.peakMiB)), 0)} MiB (+${fmt(Math.max(...downloads.map((d) => d.riseMiB)), 0)})`,
];

function report(title: string, results: DatabaseFigures[], ctx: BenchContext): SectionReport {
  const targets: TargetCheck[] = results.map((r) => ({
    figure: `render ${CANDIDATES} login slips with QR codes, ${r.db.label}`,
    target: `< ${TARGET_MS / 1000} s (proposed; DESIGN.md names none)`,
    measured: `${fmt(worst(r.pages), 0)} ms slowest (the first, issuing ${2 * CANDIDATES} links and codes too: ${fmt(r.first.ms, 0)} ms)`,
    met: worst(r.pages) < TARGET_MS,
  }));
  return {
    title,
    method: [
      `examgate's production build on each database; an instructor auto-generates ${CANDIDATES} one-time users on a test and activates it. Then the login slips page of the whole test (username, password, entry code, direct link and its QR code on every slip) is fetched once — this first one also issues the ${2 * CANDIDATES} links and codes — and then ${ctx.quick ? 'a few' : 'several'} times more, each from the request to the last byte read, with the tool's resident memory sampled every 5 ms. Each page is checked: ${CANDIDATES} slips, and the QR code of every ${SAMPLE_EVERY}th decodes (jsQR) to its slip's link.`,
      `Photos: ${CANDIDATES} permanent users, each with a 30 KiB photo, written straight to the database (the ZIP upload is measured in its own section), are added through the staff page to a second test, which is activated. Its slips page (a photo by address on every slip) and the same page with \`?photos=hide\` are fetched in turns; then every photo of the page is fetched as a browser does before printing (${PHOTO_CONNECTIONS} at a time), and once more with each photo's ETag (all 304), with the tool's CPU time read before and after.`,
      ctx.quick ? 'A quick run (`--quick`): the figures are not for the record.' : '',
    ].filter(Boolean),
    tables: [
      {
        columns: ['database · page', 'median', 'slowest', 'size', 'peak memory (rise)'],
        rows: results.flatMap((r) => [
          row(`${r.db.label} · first (issues links and codes)`, [r.first]),
          row(`${r.db.label} · slips`, r.pages),
          row(`${r.db.label} · ${CANDIDATES} permanent users, with photos`, r.photos.withPhotos),
          row(`${r.db.label} · the same, ?photos=hide`, r.photos.withoutPhotos),
        ]),
      },
      {
        columns: ['database', 'slips with photos: examgate CPU (median)', 'the same, ?photos=hide', 'ratio'],
        rows: results.map((r) => [
          r.db.label,
          `${fmt(median(r.photos.cpuWith), 0)} ms`,
          `${fmt(median(r.photos.cpuWithout), 0)} ms`,
          `${fmt(median(r.photos.cpuWith) / median(r.photos.cpuWithout), 2)}×`,
        ]),
      },
      {
        columns: [
          'database',
          `${CANDIDATES} photos (30 KiB each), ${PHOTO_CONNECTIONS} at a time`,
          'examgate CPU',
          'again, with their ETags (304)',
          'examgate CPU',
        ],
        rows: results.map((r) => [
          r.db.label,
          `${fmt(r.photos.fetchAll.ms, 0)} ms (${fmt(r.photos.fetchAll.bytes / 1024 / 1024, 1)} MiB)`,
          `${fmt(r.photos.fetchAll.cpuMs, 0)} ms (${fmt(r.photos.fetchAll.cpuMs / CANDIDATES, 2)} ms a photo)`,
          `${fmt(r.photos.revalidateAll.ms, 0)} ms`,
          `${fmt(r.photos.revalidateAll.cpuMs, 0)} ms (${fmt(r.photos.revalidateAll.cpuMs / CANDIDATES, 2)} ms a photo)`,
        ]),
      },
    ],
    targets,
    notes: [
      'Photos are on the slips by address (`<img loading=lazy>`, loaded all at once by the Print button), never inlined: 1500 photos as data: URLs of 30 KiB would make the page some 60 MB. The page reads which candidates have one in one query.',
      'Before: 3.5–5 s for this page, most of it in the QR library choosing the best of eight masks for each code (and the best mix of segment modes). Now every code uses one fixed mask and one byte-mode segment (src/handout/slip-qr.ts); the tests decode every code they draw.',
    ],
  };
}

export const slipsSection: BenchSection = {
  id: 'slips',
  title: 'Login slips of 1500 candidates',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const results: DatabaseFigures[] = [];
    for (const db of ctx.databases) {
      results.push(await measureOn(db, ctx));
    }
    return report(this.title, results, ctx);
  },
};
