import { csrfOf, type CourseSession } from './course-session.js';
import type { TestWorld } from './examgate-under-test.js';

/** Posts a file through the candidates page's CSV import (SSO) form (multipart, with the auth type and CSRF token); follows to the preview. */
export async function uploadSsoFile(
  world: TestWorld,
  session: CourseSession,
  examId: string,
  authType: string,
  name: string,
  content: string,
) {
  const page = `/app/exams/${examId}/candidates`;
  const csrf = csrfOf((await session.get(page)).body);
  const boundary = `----examgate-sso-${Math.random().toString(16).slice(2)}`;
  const part = (field: string, value: string) => [`--${boundary}`, `Content-Disposition: form-data; name="${field}"`, '', value];
  const head = [
    ...part('_csrf', csrf),
    ...part('authType', authType),
    `--${boundary}`,
    `Content-Disposition: form-data; name="file"; filename="${name}"`,
    'Content-Type: text/csv',
    '',
    '',
  ].join('\r\n');
  const body = Buffer.concat([Buffer.from(head, 'utf8'), Buffer.from(content, 'utf8'), Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8')]);
  return session.browser.follow(`${world.url}${page}/sso/import`, {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  });
}
