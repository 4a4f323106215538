import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { QueryTypes } from 'sequelize';
import { slipsOf } from '../../test/support/handout.js';
import { activate, activeExam, withDatabase, type Staff } from '../exam-setup.js';
import type { BenchContext } from '../section.js';
import { fmt, median } from '../stats.js';
import { timedDownload, type Download } from './export.js';
import type { RunningTool } from './launch-tools.js';

/** A passport photo as a phone or a scanner makes it (the bytes after the JPEG header do not matter to examgate). */
const PHOTO_BYTES = 30 * 1024;
/** What a browser opens to one host at a time. */
export const BROWSER_CONNECTIONS = 6;
const ROWS_PER_INSERT = 100;

export interface PhotoFigures {
  candidates: number;
  /** The slips page of a test whose every candidate has a photo, with them and with ?photos=hide. */
  withPhotos: Download[];
  withoutPhotos: Download[];
  /** examgate's CPU time for each of those pages (the machine's load changes wall times, much less this). */
  cpuWith: number[];
  cpuWithout: number[];
  /** Every photo of the page fetched as a browser does before printing, then again with the ETag (304s). */
  fetchAll: { ms: number; cpuMs: number; bytes: number };
  revalidateAll: { ms: number; cpuMs: number };
}

/** `count` permanent users of the tool's platform, each with a photo, written straight to its database (the upload is benchmarked elsewhere). */
async function seedUsers(tool: RunningTool, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  const now = new Date();
  await withDatabase(tool.databaseUrl, async (sequelize) => {
    const qi = sequelize.getQueryInterface();
    for (let i = 0; i < count; i += ROWS_PER_INSERT) {
      const chunk = ids.slice(i, i + ROWS_PER_INSERT);
      await qi.bulkInsert(
        'permanent_users',
        chunk.map((id, j) => ({
          id,
          platform_id: tool.platformId,
          username: `photo-${i + j}`,
          username_key: `photo-${i + j}`,
          first_name: 'Photo',
          last_name: `Candidate ${String(i + j).padStart(4, '0')}`,
          eligible: true,
          password_pending: false,
          password_weak: false,
          must_change_password: false,
          created_at: now,
          updated_at: now,
        })),
      );
      await qi.bulkInsert(
        'permanent_user_photos',
        chunk.map((id) => {
          const bytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(PHOTO_BYTES - 4)]);
          return {
            user_id: id,
            platform_id: tool.platformId,
            content_type: 'image/jpeg',
            bytes,
            size: bytes.length,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            updated_at: now,
          };
        }),
      );
    }
    const [{ n }] = (await sequelize.query('SELECT COUNT(*) AS n FROM permanent_user_photos', { type: QueryTypes.SELECT })) as [
      { n: number | string },
    ];
    if (Number(n) < count) {
      throw new Error(`only ${n} photos were written`);
    }
  });
  return ids;
}

/** The users a form of the staff page adds at once (the form parser takes 1000 fields). */
const USERS_PER_FORM = 500;

/** Adds the users to the test through the staff page, as forms with many users ticked. */
async function addAll(staff: Staff, examId: string, ids: readonly string[]): Promise<void> {
  const path = `/app/exams/${examId}/candidates/permanent`;
  for (let i = 0; i < ids.length; i += USERS_PER_FORM) {
    const page = await staff.browser.follow(`${staff.url}${path}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const chosen = ids.slice(i, i + USERS_PER_FORM).map((id): [string, string] => ['users', id]);
    const added = await staff.browser.request(`${staff.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams([['_csrf', csrf], ...chosen, ['policy', 'name']]).toString(),
    });
    await added.arrayBuffer();
    if (added.status !== 303) {
      throw new Error(`adding ${chosen.length} permanent users answered ${added.status}`);
    }
  }
}

/** Fetches every address with BROWSER_CONNECTIONS at a time; the wall time, the tool's CPU time and the bytes read. */
async function fetchEach(
  tool: RunningTool,
  staff: Staff,
  paths: string[],
  headersOf: (path: string) => Record<string, string>,
  status: number,
) {
  const cpu0 = await tool.process.cpuMs();
  const t0 = performance.now();
  let next = 0;
  let bytes = 0;
  const etags = new Map<string, string>();
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const response = await staff.browser.request(`${staff.url}${path}`, { headers: headersOf(path) });
      bytes += (await response.arrayBuffer()).byteLength;
      etags.set(path, response.headers.get('etag') ?? '');
      if (response.status !== status) {
        throw new Error(`${path} answered ${response.status}, not ${status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: BROWSER_CONNECTIONS }, worker));
  return { ms: performance.now() - t0, cpuMs: (await tool.process.cpuMs()) - cpu0, bytes, etags };
}

/**
 * The slips of a test whose `count` candidates are permanent users with photos: the page with
 * and without photos (same candidates, same run), then every photo the way a browser loads
 * them before printing, and once more as revalidations.
 */
export async function measurePhotos(tool: RunningTool, staff: Staff, count: number, ctx: BenchContext): Promise<PhotoFigures> {
  const ids = await seedUsers(tool, count);
  const examId = await activeExam(staff, 'Slips bench, photos');
  await addAll(staff, examId, ids);
  await activate(staff, examId);
  const slipsPath = `/app/exams/${examId}/slips`;
  const first = await timedDownload(staff, tool.process, slipsPath);
  const photoPaths = [...first.bytes.toString('utf8').matchAll(/<img class="photo-thumb" src="([^"]+)"/g)].map((m) =>
    m[1]!.replace(/&amp;/g, '&'),
  );
  if (slipsOf(first.bytes.toString('utf8')).length !== count || photoPaths.length !== count) {
    throw new Error(`the slips page with photos has ${photoPaths.length} photos, not ${count}`);
  }
  const runs = ctx.overrides.runs ?? (ctx.quick ? 2 : 5);
  const withPhotos: Download[] = [];
  const withoutPhotos: Download[] = [];
  const cpuWith: number[] = [];
  const cpuWithout: number[] = [];
  const timed = async (path: string, downloads: Download[], cpu: number[]) => {
    const cpu0 = await tool.process.cpuMs();
    downloads.push(await timedDownload(staff, tool.process, path));
    cpu.push((await tool.process.cpuMs()) - cpu0);
  };
  for (let i = 0; i < runs; i += 1) {
    // Interleaved, so a change in the machine's load falls on both.
    await timed(slipsPath, withPhotos, cpuWith);
    await timed(`${slipsPath}?photos=hide`, withoutPhotos, cpuWithout);
  }
  if ((withoutPhotos[0]!.bytes.toString('utf8').match(/class="photo-thumb"/g) ?? []).length !== 0) {
    throw new Error('the slips page with ?photos=hide still shows photos');
  }
  const { etags, ...fetchAll } = await fetchEach(tool, staff, photoPaths, () => ({}), 200);
  // Each again with the ETag its first answer gave, as a browser revalidates what it keeps.
  const { etags: _again, ...revalidateAll } = await fetchEach(
    tool,
    staff,
    photoPaths,
    (path) => ({ 'if-none-match': etags.get(path) ?? '' }),
    304,
  );
  ctx.log(
    `slips: photos: page ${fmt(median(withPhotos.map((d) => d.ms)), 0)} ms with (CPU ${fmt(median(cpuWith), 0)} ms), ${fmt(median(withoutPhotos.map((d) => d.ms)), 0)} ms without (CPU ${fmt(median(cpuWithout), 0)} ms); ${count} photos in ${fmt(fetchAll.ms, 0)} ms`,
  );
  return { candidates: count, withPhotos, withoutPhotos, cpuWith, cpuWithout, fetchAll, revalidateAll };
}
