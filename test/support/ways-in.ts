import request from 'supertest';
import type { TestWorld } from './examgate-under-test.js';
import { createExam, instructorOf, type CourseSession } from './course-session.js';
import { buildLearners, settledSync } from './roster.js';

/** One candidate's row of the ways-in page: candidates.id, the candidate ID, their link and code as shown. */
export interface WayInRow {
  id: string;
  candidateId: string;
  link: string | null;
  code: string | null;
}

let courseNumber = 0;

/** A fresh course with `learners` on its roster, a test (synced) and, unless told otherwise, activated. */
export async function courseWithTest(world: TestWorld, learners: number, examForm: Record<string, string> = {}, activate = true) {
  courseNumber += 1;
  const contextId = `ways-in-${courseNumber}-${Date.now()}`;
  world.lms.setRoster(contextId, buildLearners(learners));
  const teacher = await instructorOf(world, { id: contextId, title: `Ways in ${courseNumber}` });
  const examId = await createExam(teacher, { title: `Exam ${courseNumber}`, ...examForm });
  await settledSync(world, examId);
  if (activate) {
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
  }
  return { contextId, teacher, examId };
}

/** The rows of one page of the ways-in page's table. */
export function waysInRows(body: string): WayInRow[] {
  return [...body.matchAll(/<tr data-candidate="([^"]+)">([\s\S]*?)<\/tr>/g)].map(([, id, cells]) => ({
    id: id!,
    candidateId: /<td>([^<]*)/.exec(cells!)![1]!,
    link: /<code data-link>([^<]+)<\/code>/.exec(cells!)?.[1] ?? null,
    code: /<code data-code>([^<]+)<\/code>/.exec(cells!)?.[1] ?? null,
  }));
}

export async function openWaysIn(teacher: CourseSession, examId: string, page = 1) {
  return teacher.get(`/app/exams/${examId}/ways-in${page > 1 ? `?page=${page}` : ''}`);
}

export const tokenOf = (link: string) => link.slice(link.lastIndexOf('/') + 1);

/** Posts a direct link's token to /go as its page's button does (same-origin, as a browser says so). */
export function postLink(world: TestWorld, token: string, site = 'same-origin') {
  return request(world.url).post('/go').set('Sec-Fetch-Site', site).type('form').send({ token }).redirects(0);
}

/** Types an entry code at /enter. */
export function postCode(world: TestWorld, code: string, headers: Record<string, string> = { 'Sec-Fetch-Site': 'same-origin' }) {
  return request(world.url).post('/enter').set(headers).type('form').send({ code }).redirects(0);
}
