import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AuditBy } from '../../src/audit/audit.js';
import { bootstrap, type Examgate } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Browser, SimulatedLms } from '../../src/lms-sim/index.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { emptyDatabase, testDatabaseUrl } from './test-database.js';
import { resetWorld, snapshotWorld, type WorldSnapshot } from './world-reset.js';

export interface TestWorld {
  url: string;
  config: Config;
  examgate: Examgate;
  /** The platform registered for most tests (client id 'examgate-client', deployment 'deployment-1'). */
  lms: SimulatedLms;
  /** A second, separate tenant. */
  otherLms: SimulatedLms;
  adminToken: string;
}

/** Who changes things when a test sets up its world directly through a service (not through a page or the API). */
export const TEST_SETUP: AuditBy = { actor: { kind: 'admin', ref: 'test setup' }, via: 'cli' };

let world: TestWorld | null = null;
let server: Server | null = null;
let snapshot: WorldSnapshot | null = null;

/** A simulated LMS on 127.0.0.1 that knows examgate at `url` as its tool (login, launch, JWKS, deep linking). */
export async function startLms(clientId: string, deploymentId: string, url: string): Promise<SimulatedLms> {
  const lms = await SimulatedLms.start({ clientId, deploymentId });
  const tool = toolConfiguration(url);
  lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });
  return lms;
}

/**
 * One examgate per test run (ltijs is a process-wide singleton), on a real HTTP server on
 * 127.0.0.1, with two simulated LMSs registered as platforms through the real service.
 * Every call returns it in its known starting state — the two platforms and nothing else
 * (world-reset.ts) — so a test file never depends on what an earlier file left behind.
 * Call it in each file's (or describe's) `before`; tests set up what they rely on themselves.
 */
export async function startWorld(): Promise<TestWorld> {
  if (world && snapshot) {
    await resetWorld(world.examgate, snapshot);
    return world;
  }
  const databaseUrl = testDatabaseUrl();
  await emptyDatabase(databaseUrl);
  server = createServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_URL: url,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  const examgate = await bootstrap(config, createLogger(config));
  server.on('request', examgate.app);

  const lms = await startLms('examgate-client', 'deployment-1', url);
  const otherLms = await startLms('other-client', 'other-deployment', url);
  for (const platform of [lms, otherLms]) {
    await examgate.platforms.register(platform.registration, TEST_SETUP);
  }
  snapshot = await snapshotWorld(examgate);
  world = { url, config, examgate, lms, otherLms, adminToken: config.ADMIN_TOKEN ?? '' };
  return world;
}

export async function stopWorld(): Promise<void> {
  if (!world || !server) {
    return;
  }
  const current = world;
  world = null;
  snapshot = null;
  await Promise.all([current.lms.close(), current.otherLms.close()]);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server!.close(() => resolve()));
  await current.examgate.close();
}

/** Per-test reset: launches leave sessions, nonces and throttle counts behind, changes audit entries, registrations their URLs; platforms are kept (their keys are slow to make). */
export async function resetLaunchState(w: TestWorld): Promise<void> {
  for (const table of [
    'sessions',
    'session_handovers',
    'lti_nonces',
    'login_requests',
    'throttle_counters',
    'audit_entries',
    'registration_tokens',
  ]) {
    await w.examgate.sequelize.query(`DELETE FROM ${table}`);
  }
}

export function newBrowser(): Browser {
  return new Browser();
}
