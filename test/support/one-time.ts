import { QueryTypes } from 'sequelize';
import { csrfOf, type CourseSession } from './course-session.js';
import type { TestWorld } from './examgate-under-test.js';

export const candidatesPath = (examId: string) => `/app/exams/${examId}/candidates`;

/** Posts a file through the page's import form as a browser does (multipart/form-data), with the page's CSRF token; follows to the preview. */
export async function uploadFile(
  world: TestWorld,
  session: CourseSession,
  examId: string,
  name: string,
  content: string | Buffer,
  type = 'text/csv',
) {
  const page = candidatesPath(examId);
  const csrf = csrfOf((await session.get(page)).body);
  const boundary = `----examgate-test-${Math.random().toString(16).slice(2)}`;
  const head = [
    `--${boundary}`,
    'Content-Disposition: form-data; name="_csrf"',
    '',
    csrf,
    `--${boundary}`,
    `Content-Disposition: form-data; name="file"; filename="${name}"`,
    `Content-Type: ${type}`,
    '',
    '',
  ].join('\r\n');
  const body = Buffer.concat([
    Buffer.from(head, 'utf8'),
    Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'),
    Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  ]);
  return session.browser.follow(`${world.url}${page}/one-time/import`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}

/** Presses "Import N rows" on a preview page (its URL and body as uploadFile returned them); follows to the report. */
export async function commitPreview(session: CourseSession, preview: { url: string; body: string }) {
  return session.browser.follow(`${preview.url.replace(/\?.*$/, '')}/commit`, { method: 'POST', form: { _csrf: csrfOf(preview.body) } });
}

/** Uploads and commits in one go; returns the report page. */
export async function importFile(world: TestWorld, session: CourseSession, examId: string, name: string, content: string | Buffer) {
  const preview = await uploadFile(world, session, examId, name, content);
  if (preview.response.status !== 200 || !preview.url.includes('/imports/')) {
    throw new Error(`no preview for ${name}: ${preview.response.status} ${preview.body.slice(0, 400)}`);
  }
  return commitPreview(session, preview);
}

export interface OneTimeRow {
  id: string;
  candidate_id: string;
  source: string;
  extra_time_minutes: number;
  username: string | null;
  password_sealed: string | null;
}

/** The test's candidates with their one-time account (if any), by candidate ID. */
export function oneTimeRowsOf(world: TestWorld, examId: string): Promise<OneTimeRow[]> {
  return world.examgate.sequelize.query<OneTimeRow>(
    `SELECT c.id, c.candidate_id, c.source, c.extra_time_minutes, o.username, o.password_sealed
       FROM candidates c LEFT JOIN one_time_users o ON o.candidate_id = c.id WHERE c.exam_id = :examId ORDER BY c.candidate_id`,
    { replacements: { examId }, type: QueryTypes.SELECT },
  );
}

/** The usernames and passwords a candidates page shows, in list order. */
export function shownCredentials(body: string): Array<{ username: string; password: string }> {
  return [...body.matchAll(/<code data-username>([^<]+)<\/code>[\s\S]*?<code data-password>([^<]+)<\/code>/g)].map((m) => ({
    username: m[1]!,
    password: m[2]!,
  }));
}
