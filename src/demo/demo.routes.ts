import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SYSTEM } from '../audit/audit.js';
import express, { type Router } from 'express';
import type { Config } from '../config.js';
import { SimulatedLms } from '../lms-sim/index.js';
import type { Logger } from '../logger.js';
import type { PlatformService } from '../platforms/platform.service.js';
import { toolConfiguration } from '../platforms/tool-configuration.js';

const DEMO_CLIENT_ID = 'examgate-demo';
const DEMO_DEPLOYMENT_ID = 'demo-deployment';

/** The demo LMS keeps its key across restarts so the platform registered on first start stays valid. */
function demoKey(dataDir: string): string | undefined {
  const file = path.join(dataDir, 'demo-lms-key.pem');
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
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

  const router = express.Router();
  router.get('/', (_req, res) => {
    res.render('demo.njk', { title: 'Demo LMS' });
  });
  router.use(lms.router);
  return router;
}
