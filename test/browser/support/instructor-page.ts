import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../../src/lms-sim/index.js';
import { createExam, instructorOf } from '../../support/course-session.js';
import { startWorld, type TestWorld } from '../../support/examgate-under-test.js';
import { launchChromium, launchInBrowser } from './chromium.js';

/** What a browser test of a test's staff pages works with, filled in by its `before` hook. */
export interface InstructorOnTest {
  world: TestWorld;
  page: Page;
  /** The test created for the file, in a course with an empty roster. */
  examId: string;
}

/**
 * Registers the mocha hooks of a browser file about one test's staff pages: a world, a new test
 * in `course` (empty roster), and a Chromium page of its instructor `teacher` launched from the
 * LMS. The returned object is filled in once the `before` hook has run.
 */
export function instructorOnNewTest(course: { id: string; title: string }, testTitle: string, teacher: string): InstructorOnTest {
  const on = {} as InstructorOnTest;
  let chromium: Browser | undefined;
  let context: BrowserContext | undefined;
  before(async () => {
    on.world = await startWorld();
    on.world.lms.setRoster(course.id, []);
    on.examId = await createExam(await instructorOf(on.world, course), { title: testTitle });
    chromium = await launchChromium();
    context = await chromium.newContext();
    on.page = await context.newPage();
    on.page.setDefaultTimeout(10_000);
    await launchInBrowser(on.page, on.world.lms, on.world.url, {
      user: { sub: 'teacher-1', name: teacher },
      roles: [ROLE_INSTRUCTOR],
      context: course,
    });
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
  });
  return on;
}
