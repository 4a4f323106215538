import { expect } from 'chai';
import type { Frame, Page } from 'playwright-core';
import type { LaunchRequest, LmsContext, SimulatedLms } from '../../../../src/lms-sim/index.js';
import { createExam, instructorOf, placeExam } from '../../../support/course-session.js';
import { headingOf } from './embedded-pages.js';
import type { CrossSiteWorld } from './world.js';

/** The launch of a link a test is placed at: what every launch of that link carries. */
export type PlacedLink = Pick<LaunchRequest, 'context' | 'resourceLink' | 'custom'>;

/** An active test titled `title`, placed at a link of `course` in `lms` through the instructor's pages (node-side, not in Chromium). */
export async function placeTest(world: CrossSiteWorld, lms: SimulatedLms, course: LmsContext, title: string): Promise<PlacedLink> {
  const courseWorld = world.courseWorld(lms);
  const teacher = await instructorOf(courseWorld, course);
  const examId = await createExam(teacher, { title, durationMinutes: '30', timeZone: 'UTC' });
  await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
  const custom = await placeExam(courseWorld, teacher, examId, course, lms);
  return { context: course, resourceLink: { id: `${course.id}-link`, title }, custom };
}

/**
 * Waits for the h1 `text` (across the navigations still under way); fails with the heading and the
 * address the page or frame shows instead.
 */
export async function expectHeading(where: Page | Frame, text: string, what: string): Promise<void> {
  try {
    await where.getByRole('heading', { level: 1, name: text, exact: true }).waitFor();
  } catch {
    const actual = await where
      .getByRole('heading', { level: 1 })
      .first()
      .textContent({ timeout: 1_000 })
      .catch(() => null);
    expect.fail(
      `${what}: expected the heading "${text}" at ${where.url()}, found ${actual === null ? 'no heading' : `"${actual.trim()}"`}`,
    );
  }
}

/** The learner's lobby of the test `title`, with its Start button. */
export async function expectLobby(where: Page | Frame, title: string): Promise<void> {
  await expectHeading(where, title, 'the lobby');
  await where.getByRole('button', { name: 'Start' }).waitFor();
}

/** The staff page of the test `title`, and a second page after it (the session holds beyond the launch). */
export async function expectStaffPages(where: Page | Frame, title: string): Promise<void> {
  await expectHeading(where, title, "the test's staff page");
  await where.getByRole('link', { name: 'Candidates' }).click();
  await expectHeading(where, 'Candidates', 'the candidates page, a request after the launch');
}

/**
 * A refusal of a spent or replayed launch: a 4xx (when the caller saw the status), a heading and a
 * message saying why, nothing of the lobby or the staff pages of the test `title`, and no button
 * that starts the login over (that would be a way round the refusal).
 */
export async function expectRefusal(where: Page | Frame, title: string, status?: number): Promise<void> {
  if (status !== undefined) {
    expect(status, 'the refusal status').to.be.within(400, 499);
  }
  const heading = await headingOf(where);
  expect(heading, 'neither the lobby nor the staff page').to.not.equal(title);
  expect(heading, 'a spent or replayed launch is not passed off as a cookie problem').to.not.match(/new window/i);
  expect(((await where.getByRole('alert').first().textContent()) ?? '').trim(), 'the refusal says why').to.not.equal('');
  expect(await where.getByRole('button', { name: 'Start' }).count(), 'no way to start the test').to.equal(0);
  expect(await where.getByRole('link', { name: 'Candidates' }).count(), 'no staff page').to.equal(0);
  expect(await where.getByRole('button', { name: /new window/i }).count(), 'no way round the refusal').to.equal(0);
}
