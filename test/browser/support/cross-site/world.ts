import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startDeliveryEngine } from '../../../../examples/delivery-engine/server.js';
import { Browser, SimulatedLms, type PlatformBehaviour } from '../../../../src/lms-sim/index.js';
import { toolConfiguration } from '../../../../src/platforms/tool-configuration.js';
import { freePort, startChildExamgate, tempDir, type ChildExamgate } from '../../../support/child-examgate.js';
import type { CourseWorld } from '../../../support/course-session.js';
import { makeTestCertificates, type TestCertificates } from '../../../support/tls/certificates.js';
import { childDatabase } from './child-database.js';
import { CookieProbe } from './cookie-probe.js';
import { launchCrossSiteChromium, type CookieProfile } from './cookie-profiles.js';
import { testHostsFetch, testHostsTransport } from './test-hosts-fetch.js';
import { TlsTerminatingProxy } from '../../../support/tls/proxy.js';

/** Five sites: two LMSs (one site, two origins), examgate, a cookie probe on examgate's site, and the delivery engine. */
export const HOSTS = {
  moodle: 'lms.example.test',
  canvas: 'canvas.example.test',
  tool: 'tool.examgate.test',
  /** On examgate's site, so it gets examgate's cookie rules: see cookie-probe.ts. */
  probe: 'cookies.examgate.test',
  engine: 'engine.delivery.test',
} as const;

const PRELOAD = path.join(import.meta.dirname, 'resolve-test-hosts.preload.ts');

/**
 * examgate on its own HTTPS site behind a TLS-terminating proxy, as production runs it, embedded
 * by simulated LMSs on another site, handing candidates to the sample engine on a third.
 */
export interface CrossSiteWorld {
  /** https://tool.examgate.test:PORT: examgate's PUBLIC_URL. */
  toolUrl: string;
  /** https://engine.delivery.test:PORT/: the delivery URL of tests without one of their own. */
  engineUrl: string;
  /** https://cookies.examgate.test:PORT: shows which cookies a profile keeps (cookie-probe.ts). */
  cookieProbeUrl: string;
  /** Like Moodle 4.5: the login hint is single-use and there is no platform storage. */
  moodle: SimulatedLms;
  /** Like Canvas: the login hint is reusable and platform storage answers in a sibling frame "post_message_forwarding". */
  canvas: SimulatedLms;
  /** The course helpers' view of the world for `lms` (course-session.ts), with a browser that reaches the .test sites. */
  courseWorld(lms: SimulatedLms): CourseWorld;
  /** The headless Chromium with the cookie rules of `profile` (one per profile, started at the first call); closed with the world. */
  chromium(profile: CookieProfile): Promise<BrowserContext>;
  close(): Promise<void>;
}

interface Sites {
  moodle: SimulatedLms;
  canvas: SimulatedLms;
  probe: CookieProbe;
  tool: TlsTerminatingProxy;
  engine: TlsTerminatingProxy;
}

/** Everything but examgate, each stop pushed onto `stops` as soon as it runs. */
async function startSites(certificates: TestCertificates, stops: Array<() => Promise<unknown>>): Promise<Sites> {
  const tls = { key: certificates.key, cert: certificates.cert };
  // The LMSs read examgate's JWKS (deep-linking responses, client assertions) at its https://*.test address.
  const fetchTestHosts = testHostsFetch(certificates.caPem);
  const lms = async (hostname: string, clientId: string, behaviour: PlatformBehaviour) => {
    const started = await SimulatedLms.start({
      clientId,
      deploymentId: `${clientId}-deployment`,
      tls: { hostname, ...tls },
      fetch: fetchTestHosts,
      ...behaviour,
    });
    stops.push(() => started.close());
    return started;
  };
  const moodle = await lms(HOSTS.moodle, 'moodle-client', { messageHint: 'single-use' });
  const canvas = await lms(HOSTS.canvas, 'canvas-client', {
    messageHint: 'reusable',
    platformStorage: { target: 'post_message_forwarding' },
  });
  const probe = await CookieProbe.start(HOSTS.probe, tls);
  stops.push(() => probe.close());
  const tool = await TlsTerminatingProxy.start(HOSTS.tool, tls);
  stops.push(() => tool.close());
  const engine = await TlsTerminatingProxy.start(HOSTS.engine, tls);
  stops.push(() => engine.close());
  // Until examgate can be told the sample engine's public URL (SAMPLE_ENGINE_URL), the engine runs
  // here, and examgate reaches it as its DEFAULT_DELIVERY_URL.
  const port = await freePort();
  const running = await startDeliveryEngine({
    examgateUrl: tool.url,
    host: '127.0.0.1',
    port,
    publicUrl: `${engine.url}/`,
    fetch: fetchTestHosts,
    log: () => undefined,
  });
  stops.push(() => running.close());
  engine.forwardTo(`http://127.0.0.1:${port}`);
  return { moodle, canvas, probe, tool, engine };
}

/** examgate as production runs it: its own process, behind the TLS proxy, trusting the test CA, resolving .test names here. */
async function startExamgate(
  dir: string,
  caFile: string,
  sites: Sites,
  databaseUrl: string,
): Promise<{ examgate: ChildExamgate; adminToken: string }> {
  const adminToken = randomBytes(24).toString('hex');
  const examgate = await startChildExamgate({
    cwd: dir,
    imports: [PRELOAD],
    env: {
      // Production settings (https PUBLIC_URL behind a TLS proxy, no demo LMS), but main.ts under tsx:
      // a production process refuses to run uncompiled, and building here would cost every run a
      // compile. test/integration/production-build.test.ts runs the compiled build itself.
      NODE_ENV: 'test',
      DEMO_LMS_ENABLED: 'false',
      PUBLIC_URL: sites.tool.url,
      DATABASE_URL: databaseUrl,
      SECRET_KEY: randomBytes(32).toString('hex'),
      ADMIN_TOKEN: adminToken,
      DEFAULT_DELIVERY_URL: `${sites.engine.url}/`,
      ROSTER_SYNC_INTERVAL_MINUTES: '0',
      NODE_EXTRA_CA_CERTS: caFile,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    },
  });
  sites.tool.forwardTo(examgate.url);
  return { examgate, adminToken };
}

/** Registers an LMS through examgate's admin API, over the proxy (examgate fetches the LMS's JWKS to accept it), and examgate with the LMS. */
async function registerPlatform(fetchTestHosts: typeof fetch, toolUrl: string, adminToken: string, lms: SimulatedLms): Promise<void> {
  const response = await fetchTestHosts(`${toolUrl}/admin/api/platforms`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ...lms.registration, name: new URL(lms.baseUrl).hostname }),
  });
  if (response.status !== 201) {
    throw new Error(`registering ${lms.baseUrl} failed (${response.status}): ${await response.text()}`);
  }
  const tool = toolConfiguration(toolUrl);
  lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });
}

/** One Chromium per cookie profile, started when first asked for. */
function chromiumPerProfile(dir: string, certificates: TestCertificates) {
  const contexts = new Map<CookieProfile, Promise<BrowserContext>>();
  return {
    get(profile: CookieProfile): Promise<BrowserContext> {
      const options = { userDataDir: path.join(dir, `chromium-${profile}`), toolHost: HOSTS.tool, lmsHosts: [HOSTS.moodle, HOSTS.canvas] };
      const context = contexts.get(profile) ?? launchCrossSiteChromium(profile, { ...options, spkiSha256: certificates.spkiSha256 });
      contexts.set(profile, context);
      return context;
    },
    closeAll: () => Promise.allSettled([...contexts.values()].map(async (context) => (await context).close())),
  };
}

/** Starts the world; everything in it stops with close() (and the child examgate with the test process in any case). */
export async function startCrossSiteWorld(): Promise<CrossSiteWorld> {
  const work = tempDir('examgate-cross-site-');
  const certificates = makeTestCertificates(Object.values(HOSTS));
  const caFile = path.join(work.dir, 'test-ca.pem');
  writeFileSync(caFile, certificates.caPem);
  const stops: Array<() => Promise<unknown>> = [];
  const browsers = chromiumPerProfile(work.dir, certificates);
  const close = async () => {
    await browsers.closeAll();
    for (const stop of stops.reverse()) {
      await stop().catch(() => undefined);
    }
    work.remove();
  };
  try {
    const sites = await startSites(certificates, stops);
    const database = await childDatabase(work.dir);
    stops.push(() => database.drop());
    const { examgate, adminToken } = await startExamgate(work.dir, caFile, sites, database.url);
    stops.push(() => examgate.stop());
    const fetchTestHosts = testHostsFetch(certificates.caPem);
    for (const lms of [sites.moodle, sites.canvas]) {
      await registerPlatform(fetchTestHosts, sites.tool.url, adminToken, lms).catch((err: unknown) => {
        throw new Error(`${String(err)}\nexamgate printed:\n${examgate.output().stdout}\n${examgate.output().stderr}`);
      });
    }
    return {
      toolUrl: sites.tool.url,
      engineUrl: `${sites.engine.url}/`,
      cookieProbeUrl: sites.probe.url,
      moodle: sites.moodle,
      canvas: sites.canvas,
      courseWorld: (lms) => ({ url: sites.tool.url, lms, newBrowser: () => new Browser(testHostsTransport(certificates.caPem)) }),
      chromium: (profile) => browsers.get(profile),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
