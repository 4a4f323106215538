import { performance } from 'node:perf_hooks';
import { QueryTypes, Sequelize } from 'sequelize';
import type { Browser } from '../../src/lms-sim/browser.js';
import { institutionAdmin } from '../institution-admin.js';
import type { RunningTool } from './launch-tools.js';

const UPLOAD = '/institution/users/upload';
const POLL_MS = 50;
const COMMIT_TIMEOUT_MS = 600_000;

/** The upload form as an admin fills it in: add new and update existing, passwords made where the file has none. */
const FORM: Record<string, string> = {
  uploadType: 'add-update',
  newPassword: 'create',
  existingDetails: 'override',
  forceChange: 'weak',
  commonPassword: '',
  eligibleDefault: '',
};

/** One upload's figures: each phase's time and the examgate process's peak RSS (VmHWM, reset at the phase's start). */
export interface BulkUploadFigures {
  idleRssMiB: number;
  previewMs: number;
  /** CPU the examgate process spent in the phase (user + system): less swayed by a busy machine than the wall time. */
  previewCpuMs: number;
  previewPeakMiB: number;
  /** The examgate process's longest garbage-collection pause in the phase (the forced ones of a big import among them), ms. */
  previewLongestGcMs: number;
  commitMs: number;
  commitCpuMs: number;
  commitPeakMiB: number;
  commitLongestGcMs: number;
  added: number;
  /** Users stored afterwards, and how many of them wait for their hash. */
  stored: number;
  pending: number;
  /** The hashing job that the commit queued, watched for a while in the same process. */
  hashing: { done: number; perSecond: number | null; watchedMs: number };
}

const csrfIn = (html: string, what: string) => {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) {
    throw new Error(`${what} carries no CSRF token`);
  }
  return token;
};

function multipart(boundary: string, fields: Record<string, string>, file: Buffer): Uint8Array<ArrayBuffer> {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const head = `${parts.join('')}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="users.csv"\r\nContent-Type: text/csv\r\n\r\n`;
  return new Uint8Array(Buffer.concat([Buffer.from(head), file, Buffer.from(`\r\n--${boundary}--\r\n`)]));
}

/** The upload form → 303 → the preview page (read, checked, planned, stored and shown): its path and page. */
async function uploadToPreview(admin: Browser, url: string, file: Buffer, rows: number): Promise<{ path: string; body: string }> {
  const form = await admin.follow(`${url}${UPLOAD}`);
  const boundary = '----bench-bulk';
  const uploaded = await admin.request(`${url}${UPLOAD}/import`, {
    method: 'POST',
    body: multipart(boundary, { _csrf: csrfIn(form.body, 'the upload form'), ...FORM }, file),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
  const answer = await uploaded.text();
  const location = uploaded.headers.get('location');
  if (uploaded.status !== 303 || !location) {
    throw new Error(`the upload answered ${uploaded.status}: ${answer.replace(/<[^>]+>/g, ' ').slice(0, 400)}`);
  }
  const preview = await admin.follow(`${url}${location}`);
  if (!preview.body.includes(`${rows} to add`)) {
    throw new Error(`the preview does not plan ${rows} additions`);
  }
  return { path: location, body: preview.body };
}

/** Import on the preview → 303 → the progress page; then its status, polled until the job says committed. */
async function commitAndWait(admin: Browser, url: string, preview: { path: string; body: string }, tool: RunningTool) {
  const committed = await admin.request(`${url}${preview.path}/commit`, { form: { _csrf: csrfIn(preview.body, 'the preview') } });
  await committed.arrayBuffer();
  const location = committed.headers.get('location');
  if (committed.status !== 303 || !location) {
    throw new Error(`the commit answered ${committed.status}`);
  }
  const deadline = Date.now() + COMMIT_TIMEOUT_MS;
  // The peak read just before the poll that sees the commit done: the hashing job starts right after it, and its scrypt memory is not the commit's.
  let peak = tool.process.peakRssMiB();
  for (;;) {
    const beforePoll = tool.process.peakRssMiB();
    const status = (await (await admin.request(`${url}${new URL(location, url).pathname}/status`)).json()) as {
      status: string;
      done: number;
      total: number;
    };
    if (status.status === 'committed') {
      return { peak: Math.max(peak, beforePoll) };
    }
    peak = beforePoll;
    if (status.status !== 'queued' && status.status !== 'preview') {
      throw new Error(`the commit ended ${status.status}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the commit did not finish within ${COMMIT_TIMEOUT_MS / 1000} s (${status.done}/${status.total})`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function storedUsers(databaseUrl: string): Promise<{ stored: number; pending: number }> {
  const sequelize = new Sequelize(databaseUrl, { logging: false });
  try {
    const [row] = await sequelize.query<{ stored: number | string; pending: number | string }>(
      `SELECT COUNT(*) AS stored, SUM(CASE WHEN password_pending = :yes THEN 1 ELSE 0 END) AS pending FROM permanent_users`,
      { replacements: { yes: true }, type: QueryTypes.SELECT },
    );
    return { stored: Number(row?.stored ?? 0), pending: Number(row?.pending ?? 0) };
  } finally {
    await sequelize.close();
  }
}

/** The hashing job the commit queued, as its status page reports it after `watchMs` of running beside nothing else. */
async function watchHashing(admin: Browser, url: string, watchMs: number) {
  const t0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, watchMs));
  const status = (await (await admin.request(`${url}${UPLOAD}/hashing/status`)).json()) as {
    job: { done: number; perSecond: number | null } | null;
  };
  return { done: status.job?.done ?? 0, perSecond: status.job?.perSecond ?? null, watchedMs: performance.now() - t0 };
}

/**
 * The whole bulk upload of `file` (`rows` new users) by an admin of the tool's platform, as the
 * browser makes it: form → preview page, then Import → the job's progress until committed.
 */
export async function bulkUploadRun(tool: RunningTool, file: Buffer, rows: number, hashingWatchMs: number): Promise<BulkUploadFigures> {
  const admin = await institutionAdmin(tool);
  const idleRssMiB = tool.process.rssMiB();
  tool.process.resetPeakRss();
  await tool.process.collections();
  const cpu0 = await tool.process.cpuMs();
  const t0 = performance.now();
  const preview = await uploadToPreview(admin, tool.url, file, rows);
  const previewMs = performance.now() - t0;
  const previewPeakMiB = tool.process.peakRssMiB();
  const cpu1 = await tool.process.cpuMs();
  const previewGc = await tool.process.collections();

  tool.process.resetPeakRss();
  const t1 = performance.now();
  const { peak: commitPeakMiB } = await commitAndWait(admin, tool.url, preview, tool);
  const commitMs = performance.now() - t1;
  const commitCpuMs = (await tool.process.cpuMs()) - cpu1;
  const commitGc = await tool.process.collections();
  const hashing = await watchHashing(admin, tool.url, hashingWatchMs);
  return {
    idleRssMiB,
    previewMs,
    previewCpuMs: cpu1 - cpu0,
    previewPeakMiB,
    previewLongestGcMs: previewGc.longestMs,
    commitMs,
    commitCpuMs,
    commitPeakMiB,
    commitLongestGcMs: commitGc.longestMs,
    added: rows,
    ...(await storedUsers(tool.databaseUrl)),
    hashing,
  };
}
