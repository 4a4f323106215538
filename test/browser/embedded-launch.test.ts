import { existsSync } from 'node:fs';
import { expect } from 'chai';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR, ROLE_LEARNER, type LaunchRequest, type SimulatedLms } from '../../src/lms-sim/index.js';
import { expectAccessible } from './support/axe.js';
import { CHROMIUM } from './support/chromium.js';
import { COOKIE_PROFILES, type CookieProfile } from './support/cross-site/cookie-profiles.js';
import {
  expectHeading,
  expectLobby,
  expectRefusal,
  expectStaffPages,
  placeTest,
  type PlacedLink,
} from './support/cross-site/embedded-expectations.js';
import {
  arrivedAt,
  cookiesKept,
  headingOf,
  openCoursePage,
  postFormFrom,
  recordAuthAnswers,
  tabOpenedBy,
  toolFrameSettled,
} from './support/cross-site/embedded-pages.js';
import { startCrossSiteWorld, type CrossSiteWorld } from './support/cross-site/world.js';

const EXAM_TITLE = 'Biology quiz';
const COURSE = { id: 'bio-101', title: 'Biology 101' };

describe('Embedded launches across sites over HTTPS, in Chromium with each cookie profile', function () {
  this.timeout(120_000);
  let world: CrossSiteWorld;
  let moodleLink: PlacedLink;
  let canvasLink: PlacedLink;
  let learners = 0;
  const toolOrigin = () => new URL(world.toolUrl).origin;
  const engineOrigin = () => new URL(world.engineUrl).origin;

  before(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).to.equal(true);
    world = await startCrossSiteWorld();
    moodleLink = await placeTest(world, world.moodle, COURSE, EXAM_TITLE);
    canvasLink = await placeTest(world, world.canvas, COURSE, EXAM_TITLE);
  });
  after(() => world?.close());

  const instructor = (link: PlacedLink): LaunchRequest => ({
    ...link,
    user: { sub: 'teacher-1', name: 'Grace Hopper' },
    roles: [ROLE_INSTRUCTOR],
  });
  /** A learner who has not launched before (each is enrolled by their first launch). */
  const newLearner = (link: PlacedLink): LaunchRequest => {
    learners += 1;
    return { ...link, user: { sub: `learner-${learners}`, name: `Learner ${learners}` }, roles: [ROLE_LEARNER] };
  };

  /** The course page of `request` at `lms`, and the tool's frame once examgate answered in it. */
  async function embedded(context: BrowserContext, lms: SimulatedLms, request: LaunchRequest): Promise<{ page: Page; frame: Frame }> {
    const page = await openCoursePage(context, lms.coursePageUrl(request, { newWindowLink: true }));
    return { page, frame: await toolFrameSettled(page, toolOrigin()) };
  }

  /** Start in the embedded lobby opens the engine in a new tab; the frame says so; the candidate finishes and lands on examgate. */
  async function startInNewTabAndFinish(context: BrowserContext, frame: Frame): Promise<void> {
    const engineTab = await tabOpenedBy(context, () => frame.getByRole('button', { name: 'Start' }).click());
    await arrivedAt(engineTab, engineOrigin(), []);
    await expectHeading(engineTab, EXAM_TITLE, 'the engine shows the test');
    await frame.getByText('Your test is open in another tab').waitFor();
    expect(await frame.getByRole('button', { name: 'Reopen the test' }).count(), 'a way back to the test').to.equal(1);
    await engineTab.getByLabel('42').check();
    await engineTab.getByLabel('11').check();
    await engineTab.getByRole('button', { name: 'Finish' }).click();
    await arrivedAt(engineTab, toolOrigin(), []);
    expect(await headingOf(engineTab), 'the return lands on an examgate page').to.not.equal('');
    await engineTab.close();
  }

  describe('the world: what each cookie profile keeps', () => {
    const KEPT: Record<CookieProfile, { embedded: string; topLevel: string }> = {
      'third-party-cookies-allowed': { embedded: 'partitioned unpartitioned', topLevel: 'partitioned unpartitioned' },
      'third-party-cookies-blocked': { embedded: 'partitioned', topLevel: 'partitioned unpartitioned' },
      'no-cookies-in-frame': { embedded: '', topLevel: 'partitioned unpartitioned' },
    };
    for (const profile of COOKIE_PROFILES) {
      it(`when a page on examgate's site sets cookies in ${profile}, then the frame under the LMS keeps ${KEPT[profile].embedded || 'none'} and a tab keeps both`, async () => {
        const context = await world.chromium(profile);
        expect(await cookiesKept(context, world.cookieProbeUrl, world.moodle.baseUrl), 'in the LMS page').to.equal(KEPT[profile].embedded);
        await context.clearCookies();
        expect(await cookiesKept(context, world.cookieProbeUrl, null), 'top level').to.equal(KEPT[profile].topLevel);
        await context.clearCookies();
      });
    }
  });

  for (const profile of ['third-party-cookies-allowed', 'third-party-cookies-blocked'] as const satisfies readonly CookieProfile[]) {
    describe(`${profile}`, () => {
      let context: BrowserContext;
      before(async () => {
        context = await world.chromium(profile);
      });
      afterEach(async () => {
        await Promise.all(context.pages().map((p) => p.close()));
        await context.clearCookies();
      });

      it('when an instructor opens the embedded activity, then the staff pages work in the frame', async () => {
        const { frame } = await embedded(context, world.moodle, instructor(moodleLink));
        await expectStaffPages(frame, EXAM_TITLE);
      });

      it('when a learner opens it and starts, then the lobby shows in the frame, the engine opens in a new tab, and the return lands on examgate', async () => {
        const { frame } = await embedded(context, world.moodle, newLearner(moodleLink));
        await expectLobby(frame, EXAM_TITLE);
        await startInNewTabAndFinish(context, frame);
      });
    });
  }

  describe('no-cookies-in-frame', () => {
    let context: BrowserContext;
    before(async () => {
      context = await world.chromium('no-cookies-in-frame');
    });
    afterEach(async () => {
      await Promise.all(context.pages().map((p) => p.close()));
      await context.clearCookies();
    });

    /** The frame shows examgate's new-window page at login; its button opens the launch in a new tab. */
    async function continueInNewTab(frame: Frame): Promise<Page> {
      await expectHeading(frame, 'Open examgate in a new window', 'the frame at login');
      expect(new URL(frame.url()).pathname, 'answered at the login initiation').to.equal('/lti/login/continue');
      await expectAccessible(frame, 'new-window page of the login, in the LMS frame');
      const tab = await tabOpenedBy(context, () => frame.getByRole('button', { name: 'Open examgate in a new window' }).click());
      await arrivedAt(tab, toolOrigin());
      return tab;
    }

    const authRequests = (lms: SimulatedLms) => lms.requestLog.filter((r) => r.path === '/auth').length;

    it('when an instructor opens the embedded activity, then examgate offers a new window at login and the staff pages open there', async () => {
      const { frame } = await embedded(context, world.moodle, instructor(moodleLink));
      const before = authRequests(world.moodle);
      const tab = await continueInNewTab(frame);
      await expectStaffPages(tab, EXAM_TITLE);
      expect(authRequests(world.moodle) - before, 'the new tab went through the LMS with the unused hint').to.equal(1);
    });

    it('when a learner opens it, then the new window completes the launch with the single-use hint and Start opens the engine in that tab', async () => {
      const { frame } = await embedded(context, world.moodle, newLearner(moodleLink));
      const tab = await continueInNewTab(frame);
      await expectLobby(tab, EXAM_TITLE);
      const pagesBefore = context.pages().length;
      await tab.getByRole('button', { name: 'Start' }).click();
      await arrivedAt(tab, engineOrigin(), []);
      await expectHeading(tab, EXAM_TITLE, 'the engine shows the test in the same tab');
      expect(context.pages().length, 'no further tab').to.equal(pagesBefore);
    });

    it("when a learner uses the LMS's new-window placement instead, then the launch runs top level and shows the lobby", async () => {
      const learner = newLearner(moodleLink);
      const page = await openCoursePage(context, world.moodle.coursePageUrl(learner, { newWindowLink: true }));
      // As a learner would: the course page has finished loading, its embedded frame too, before the click.
      await toolFrameSettled(page, toolOrigin());
      const tab = await tabOpenedBy(context, () => page.getByRole('link', { name: `Open ${EXAM_TITLE} in a new window` }).click());
      await arrivedAt(tab, toolOrigin());
      await expectLobby(tab, EXAM_TITLE);
    });

    it('when the new-window button is used a second time, then the second tab gets a refusal, never a way in', async () => {
      const { frame } = await embedded(context, world.moodle, newLearner(moodleLink));
      const first = await continueInNewTab(frame);
      await expectLobby(first, EXAM_TITLE);
      const second = await tabOpenedBy(context, () => frame.getByRole('button', { name: 'Open examgate in a new window' }).click());
      await arrivedAt(second, toolOrigin(), []);
      await expectRefusal(second, EXAM_TITLE);
    });

    it('when the LMS offers platform storage, then examgate keeps the login there and hands the session to a new window without a second trip to the LMS', async () => {
      const { frame } = await embedded(context, world.canvas, newLearner(canvasLink));
      await expectHeading(frame, 'Continue in a new window', 'the frame after the launch');
      await expectAccessible(frame, 'hand-over page after a launch proven through platform storage');
      const before = authRequests(world.canvas);
      const tab = await tabOpenedBy(context, () => frame.getByRole('button', { name: 'Continue in a new window' }).click());
      await arrivedAt(tab, toolOrigin());
      await expectLobby(tab, EXAM_TITLE);
      expect(authRequests(world.canvas), 'no second trip to the LMS').to.equal(before);
    });
  });

  describe('stale and replayed launches (third-party-cookies-allowed)', () => {
    let context: BrowserContext;
    before(async () => {
      context = await world.chromium('third-party-cookies-allowed');
    });
    afterEach(async () => {
      await Promise.all(context.pages().map((p) => p.close()));
      await context.clearCookies();
    });

    it("when the LMS's id_token is posted to examgate again, then the replay gets a refusal page", async () => {
      const page = await openCoursePage(context, 'about:blank');
      const answers = recordAuthAnswers(page, world.moodle.authUrl);
      await page.goto(world.moodle.coursePageUrl(newLearner(moodleLink)));
      await expectLobby(await toolFrameSettled(page, toolOrigin()), EXAM_TITLE);
      const [answer] = answers;
      expect(answer, 'the LMS answered the authentication request').to.not.equal(undefined);
      const replay = await context.newPage();
      const status = await postFormFrom(replay, world.moodle.baseUrl, answer!.form);
      await expectRefusal(replay, EXAM_TITLE, status);
    });

    it("when a single-use hint's authentication request is sent again, then the LMS refuses it", async () => {
      const page = await openCoursePage(context, 'about:blank');
      const answers = recordAuthAnswers(page, world.moodle.authUrl);
      await page.goto(world.moodle.coursePageUrl(newLearner(moodleLink)));
      await expectLobby(await toolFrameSettled(page, toolOrigin()), EXAM_TITLE);
      const again = await context.newPage();
      const response = await again.goto(answers[0]!.url);
      expect(response?.status(), 'Moodle spends the hint at the first pass').to.equal(400);
    });

    it("when a reusable hint's authentication response is reloaded, then examgate refuses the second id_token of the same login", async () => {
      const page = await openCoursePage(context, 'about:blank');
      const answers = recordAuthAnswers(page, world.canvas.authUrl);
      await page.goto(world.canvas.coursePageUrl(newLearner(canvasLink)));
      await expectLobby(await toolFrameSettled(page, toolOrigin()), EXAM_TITLE);
      const again = await context.newPage();
      const launched = again.waitForResponse((r) => r.url() === `${world.toolUrl}/lti/launch` && r.request().method() === 'POST');
      await again.goto(answers[0]!.url);
      const status = (await launched).status();
      await again.waitForLoadState('load');
      await expectRefusal(again, EXAM_TITLE, status);
    });
  });
});
