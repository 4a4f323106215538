import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bootstrap, type Examgate } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { Browser, SimulatedLms } from '../../src/lms-sim/index.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { emptyDatabase, testDatabaseUrl } from './test-database.js';

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

let world: TestWorld | null = null;
let server: Server | null = null;

async function startLms(clientId: string, deploymentId: string, url: string): Promise<SimulatedLms> {
  const lms = await SimulatedLms.start({ clientId, deploymentId });
  const tool = toolConfiguration(url);
  lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });
  return lms;
}

/**
 * One examgate per test run (ltijs is a process-wide singleton), on a real HTTP server on
 * 127.0.0.1, with two simulated LMSs registered as platforms through the real service.
 */
export async function startWorld(): Promise<TestWorld> {
  if (world) {
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
    await examgate.platforms.register(platform.registration);
  }
  world = { url, config, examgate, lms, otherLms, adminToken: config.ADMIN_TOKEN ?? '' };
  return world;
}

export async function stopWorld(): Promise<void> {
  if (!world || !server) {
    return;
  }
  const current = world;
  world = null;
  await Promise.all([current.lms.close(), current.otherLms.close()]);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server!.close(() => resolve()));
  await current.examgate.close();
}

/** Per-test reset: launches leave sessions and nonces behind, registrations their URLs; platforms are kept (their keys are slow to make). */
export async function resetLaunchState(w: TestWorld): Promise<void> {
  for (const table of ['sessions', 'lti_nonces', 'login_requests', 'registration_tokens']) {
    await w.examgate.sequelize.query(`DELETE FROM ${table}`);
  }
}

export function newBrowser(): Browser {
  return new Browser();
}
