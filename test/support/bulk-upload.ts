import request from 'supertest';
import { QueryTypes } from 'sequelize';
import type { TestWorld } from './examgate-under-test.js';
import { csrfIn } from './institution.js';

export const UPLOAD = '/institution/users/upload';

/** The form's options as a browser sends them; each test overrides what it is about. */
export const FORM_DEFAULTS: Record<string, string> = {
  uploadType: 'add-new',
  newPassword: 'create',
  existingDetails: 'none',
  forceChange: 'weak',
  commonPassword: '',
  eligibleDefault: '',
};

/** Uploads `csv` through the upload form (multipart, with the page's CSRF token); the response (303 to the preview, or the form again). */
export async function uploadBulk(world: TestWorld, cookie: string, csv: string, fields: Record<string, string> = {}, name = 'users.csv') {
  const page = await request(world.url).get(UPLOAD).set('cookie', cookie);
  let post = request(world.url).post(`${UPLOAD}/import`).set('cookie', cookie).field('_csrf', csrfIn(page.text));
  for (const [key, value] of Object.entries({ ...FORM_DEFAULTS, ...fields })) {
    post = post.field(key, value);
  }
  return post.attach('file', Buffer.from(csv, 'utf8'), { filename: name, contentType: 'text/csv' });
}

/** Uploads any file (a ZIP) through the same form; the response. */
export async function uploadBulkFile(
  world: TestWorld,
  cookie: string,
  bytes: Buffer,
  fields: Record<string, string> = {},
  name = 'users.zip',
  contentType = 'application/zip',
) {
  const page = await request(world.url).get(UPLOAD).set('cookie', cookie);
  let post = request(world.url).post(`${UPLOAD}/import`).set('cookie', cookie).field('_csrf', csrfIn(page.text));
  for (const [key, value] of Object.entries({ ...FORM_DEFAULTS, ...fields })) {
    post = post.field(key, value);
  }
  return post.attach('file', bytes, { filename: name, contentType });
}

/** Uploads, checks a preview came back, and returns its path and page. */
export async function previewBulk(world: TestWorld, cookie: string, csv: string, fields: Record<string, string> = {}) {
  const posted = await uploadBulk(world, cookie, csv, fields);
  if (posted.status !== 303) {
    throw new Error(`no preview: ${posted.status} ${posted.text.slice(0, 600)}`);
  }
  const path = String(posted.headers.location);
  const preview = await request(world.url).get(path).set('cookie', cookie);
  return { path, text: preview.text, status: preview.status };
}

/** Presses Import on a preview; the response (303 to the report, or 409). */
export async function commitBulk(world: TestWorld, cookie: string, preview: { path: string; text: string }) {
  return request(world.url)
    .post(`${preview.path}/commit`)
    .set('cookie', cookie)
    .type('form')
    .send({ _csrf: csrfIn(preview.text) });
}

export async function importBulk(world: TestWorld, cookie: string, csv: string, fields: Record<string, string> = {}) {
  const preview = await previewBulk(world, cookie, csv, fields);
  const committed = await commitBulk(world, cookie, preview);
  if (committed.status !== 303) {
    throw new Error(`not committed: ${committed.status} ${committed.text.slice(0, 600)}`);
  }
  return { preview, report: await request(world.url).get(String(committed.headers.location)).set('cookie', cookie) };
}

export interface UserRow {
  id: string;
  username: string;
  client_id: string | null;
  title: string | null;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  role: string | null;
  venue: string | null;
  eligible: boolean | number;
  deleted_at: string | null;
  password_hash: string | null;
  password_pending: boolean | number;
  password_weak: boolean | number;
  must_change_password: boolean | number;
}

export async function usersOf(world: TestWorld, platformId: string): Promise<UserRow[]> {
  return world.examgate.sequelize.query<UserRow>('SELECT * FROM permanent_users WHERE platform_id = :platformId ORDER BY username_key', {
    replacements: { platformId },
    type: QueryTypes.SELECT,
  });
}

/** Waits until the platform's password queue is empty (the hashing job nudged along). */
export async function hashingDone(world: TestWorld, platformId: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await world.examgate.bulkUploads.hashingStatus(platformId);
    if (status.queued === 0 && (!status.job || !['queued', 'running', 'retrying'].includes(status.job.status))) {
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(`hashing not done within ${timeoutMs} ms: ${JSON.stringify(status)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
