import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM } from '../audit/audit.js';
import express, { type Router } from 'express';
import type { Config } from '../config.js';
import { ROLE_INSTRUCTOR, ROLE_LEARNER, SimulatedLms, type RosterMember } from '../lms-sim/index.js';
import type { Logger } from '../logger.js';
import type { Platform } from '../platforms/platform.js';
import type { PlatformService } from '../platforms/platform.service.js';
import { toolConfiguration } from '../platforms/tool-configuration.js';

const DEMO_CLIENT_ID = 'examgate-demo';
const DEMO_DEPLOYMENT_ID = 'demo-deployment';
const DEMO_COURSE_ID = 'demo-course';

/**
 * The demo course's learners, what a newcomer sees arrive as candidates on "Sync now". Made-up
 * names under the reserved example.invalid domain: nobody can take them for real people's.
 */
export const DEMO_LEARNERS: ReadonlyArray<{ sub: string; givenName: string; familyName: string }> = [
  { sub: 'demo-learner', givenName: 'Demo', familyName: 'Learner' },
  { sub: 'demo-ada', givenName: 'Ada', familyName: 'Lindqvist' },
  { sub: 'demo-kofi', givenName: 'Kofi', familyName: 'Mensah' },
  { sub: 'demo-mei', givenName: 'Mei', familyName: 'Tanaka' },
  { sub: 'demo-tomas', givenName: 'Tomás', familyName: 'Ortega' },
];

function demoRoster(): RosterMember[] {
  const learners = DEMO_LEARNERS.map((l) => ({
    user_id: l.sub,
    roles: [ROLE_LEARNER],
    name: `${l.givenName} ${l.familyName}`,
    given_name: l.givenName,
    family_name: l.familyName,
    email: `${l.sub}@example.invalid`,
  }));
  const instructor = {
    user_id: 'demo-instructor',
    roles: [ROLE_INSTRUCTOR],
    name: 'Demo Instructor',
    given_name: 'Demo',
    family_name: 'Instructor',
    email: 'demo-instructor@example.invalid',
  };
  return [instructor, ...learners];
}

/** The demo LMS keeps its key across restarts so the platform registered on first start stays valid. */
function demoKey(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'demo-lms-key.pem');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/**
 * The demo course's placed activities and gradebook, kept in `dataDir` beside the database so a
 * restart of `npm start` does not empty the course page while examgate still holds its tests.
 */
class DemoCourseFile {
  readonly #file: string;
  #written = '';

  constructor(dataDir: string) {
    this.#file = path.join(dataDir, 'demo-lms-course.json');
  }

  restoreInto(lms: SimulatedLms, log: Logger): void {
    if (!existsSync(this.#file)) {
      return;
    }
    try {
      const saved: unknown = JSON.parse(readFileSync(this.#file, 'utf8'));
      // A course of the demo LMS at another address went with that platform (forgetDemoPlatformsOfOtherAddresses).
      if (typeof saved === 'object' && saved !== null && 'issuer' in saved && saved.issuer === lms.issuer && 'course' in saved) {
        lms.restoreCourseRecord(saved.course);
      }
    } catch (err) {
      log.warn({ err, file: this.#file }, 'the demo course file could not be read; the demo course starts empty');
    }
    this.#written = this.#textOf(lms);
  }

  #textOf(lms: SimulatedLms): string {
    return JSON.stringify({ issuer: lms.issuer, course: lms.courseRecord() });
  }

  /** Writes the record when it changed: a new file renamed over the old, so a crash never leaves half a file. */
  save(lms: SimulatedLms, log: Logger): void {
    const text = this.#textOf(lms);
    if (text === this.#written) {
      return;
    }
    try {
      writeFileSync(`${this.#file}.new`, text);
      renameSync(`${this.#file}.new`, this.#file);
      this.#written = text;
    } catch (err) {
      log.warn({ err, file: this.#file }, 'the demo course could not be saved');
    }
  }
}

/** A demo LMS registered by an earlier start on another PORT or PUBLIC_URL: its issuer is its address. */
function isStaleDemoPlatform(platform: Platform, currentIssuer: string): boolean {
  return platform.clientId === DEMO_CLIENT_ID && platform.issuer !== currentIssuer && new URL(platform.issuer).pathname === '/demo';
}

/**
 * The demo LMS's issuer is its URL, so a start on another port would leave the old registration
 * behind, launching nowhere and listed among the real LMSs. It goes, with its demo courses.
 */
async function forgetDemoPlatformsOfOtherAddresses(platforms: PlatformService, currentIssuer: string, log: Logger): Promise<void> {
  for (const platform of await platforms.list()) {
    if (isStaleDemoPlatform(platform, currentIssuer)) {
      await platforms.remove(platform.id, { actor: SYSTEM, via: 'startup' });
      log.info({ issuer: platform.issuer, now: currentIssuer }, 'demo LMS of an earlier address removed');
    }
  }
}

/** The activities "Add examgate activity" placed on the demo course (one per deep-linking response), by title. */
function activitiesOf(lms: SimulatedLms): Array<{ index: number; title: string }> {
  return lms.deepLinkResponses.map(({ claims }, index) => {
    const items = claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'];
    const first: unknown = Array.isArray(items) ? items[0] : undefined;
    const title =
      typeof first === 'object' && first !== null && 'title' in first && typeof first.title === 'string'
        ? first.title
        : 'examgate activity';
    return { index, title };
  });
}

/** The demo gradebook: the latest score examgate posted through AGS for each learner, by name. */
function gradebookOf(lms: SimulatedLms): Array<{ name: string; score: string }> {
  const latest = new Map<string, string>();
  for (const { score } of lms.scores) {
    if (typeof score.userId === 'string' && typeof score.scoreGiven === 'number' && typeof score.scoreMaximum === 'number') {
      latest.set(score.userId, `${score.scoreGiven} / ${score.scoreMaximum}`);
    }
  }
  return DEMO_LEARNERS.filter((l) => latest.has(l.sub)).map((l) => ({ name: `${l.givenName} ${l.familyName}`, score: latest.get(l.sub)! }));
}

/**
 * Development only: a simulated LMS mounted at /demo that launches examgate through the
 * real LTI 1.3 flow in the user's own browser, registered as a platform on first start.
 */
export async function createDemoRouter(
  config: Config,
  platforms: PlatformService,
  log: Logger,
  dataDir = path.resolve('data'),
): Promise<Router> {
  const tool = toolConfiguration(config.PUBLIC_URL);
  const lms = new SimulatedLms({
    baseUrl: `${config.PUBLIC_URL}/demo`,
    clientId: DEMO_CLIENT_ID,
    deploymentId: DEMO_DEPLOYMENT_ID,
    privateKeyPem: demoKey(dataDir),
  });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, 'demo-lms-key.pem'), lms.privateKeyPem, { mode: 0o600 });
  lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });

  await forgetDemoPlatformsOfOtherAddresses(platforms, lms.issuer, log);
  if (!(await platforms.findByIssuerAndClientId(lms.issuer, DEMO_CLIENT_ID))) {
    await platforms.register(
      {
        issuer: lms.issuer,
        clientId: DEMO_CLIENT_ID,
        deploymentIds: [DEMO_DEPLOYMENT_ID],
        name: 'Demo LMS',
        authUrl: lms.authUrl,
        tokenUrl: lms.tokenUrl,
        jwksUrl: lms.jwksUrl,
        // The JWKS is served by this very process, which is not listening yet.
        skipJwksCheck: true,
      },
      { actor: SYSTEM, via: 'startup' },
    );
    log.info({ issuer: lms.issuer }, 'demo LMS registered as a platform');
  }

  lms.setRoster(DEMO_COURSE_ID, demoRoster());
  const courseFile = new DemoCourseFile(dataDir);
  courseFile.restoreInto(lms, log);

  const router = express.Router();
  // The course page is the LMS's page, not examgate's: it frames examgate and posts the login initiation
  // into that frame, which examgate's own policy (made for its pages, with upgrade-insecure-requests) blocks.
  router.use('/course', (_req, res, next) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'self'",
    );
    next();
  });
  // Placing an activity (the deep-linking return) and posting a score (AGS) both arrive here.
  router.use((_req, res, next) => {
    res.on('finish', () => courseFile.save(lms, log));
    next();
  });
  router.get('/', (_req, res) => {
    res.render('demo.njk', { title: 'Demo LMS', learners: DEMO_LEARNERS, activities: activitiesOf(lms), gradebook: gradebookOf(lms) });
  });
  router.use(lms.router);
  return router;
}
