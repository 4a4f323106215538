import path from 'node:path';
import { SimulatedLms, type LaunchResult } from '../../src/lms-sim/index.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { startHttpsLms } from '../../test/support/https-lms.js';
import { PROBE_PRELOAD, productionMain, TOOLS_DIR } from '../build.js';
import type { BenchDatabase } from '../databases.js';
import type { LaunchTarget } from '../load.js';
import type { BenchContext } from '../section.js';
import { freePort, ToolProcess } from '../tool-process.js';

/** Both tools accept id_tokens up to this old; generous, so that no launch is refused for age under load. */
export const TOKEN_MAX_AGE_SECONDS = 60;

const ADMIN_TOKEN = 'bench-admin-token-0123456789abcdef';
/** The SECRET_KEY of every examgate the bench starts: a section that reads what examgate sealed (one-time passwords, link tokens) opens it with this. */
export const BENCH_SECRET_KEY = 'bench-secret-key-0123456789abcdef0123456789';
const REPO = path.resolve(import.meta.dirname, '..', '..');
const LMS_IDS = { clientId: 'bench-client', deploymentId: 'bench-deployment' };

/** A tool process, the simulated LMS that launches it, and how to tell it landed. */
export interface RunningTool {
  target: LaunchTarget;
  process: ToolProcess;
  /** Where the tool listens (plain http on 127.0.0.1). */
  url: string;
  /** The tool's own database. */
  databaseUrl: string;
  /** examgate only: the id of the platform its LMS is registered as, and the environment it runs with (for its CLI). */
  platformId?: string;
  env?: Record<string, string>;
  stop(): Promise<void>;
}

function pathOf(result: LaunchResult): string {
  return new URL(result.url).pathname;
}

/** The baseline: bench/bare-ltijs-tool.ts (compiled), which registers its plain-http LMS itself (authConfig JWK_SET). */
export async function startBareLtijs(db: BenchDatabase, ctx: Pick<BenchContext, 'cpuProfileDir'>): Promise<RunningTool> {
  const lms = await SimulatedLms.start(LMS_IDS);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const databaseUrl = await db.fresh('bare_ltijs');
  lms.configureTool({ loginUrl: `${url}/login`, launchUrl: `${url}/`, jwksUrl: `${url}/keys` });
  const tool = await ToolProcess.start({
    entry: path.join(TOOLS_DIR, 'bare-ltijs-tool.js'),
    name: 'bare-ltijs',
    ready: 'ipc',
    cpuProfileDir: ctx.cpuProfileDir,
    env: {
      PORT: String(port),
      DATABASE_URL: databaseUrl,
      TOKEN_MAX_AGE_SECONDS: String(TOKEN_MAX_AGE_SECONDS),
      LMS_ISSUER: lms.issuer,
      LMS_CLIENT_ID: lms.clientId,
      LMS_AUTH_URL: lms.authUrl,
      LMS_TOKEN_URL: lms.tokenUrl,
      LMS_JWKS_URL: lms.jwksUrl,
    },
  }).catch(async (err: unknown) => {
    await lms.close();
    throw err;
  });
  return {
    target: {
      name: 'bare ltijs 5.9.9',
      lms,
      landed: (r) => r.status === 200 && pathOf(r) === '/' && new URL(r.url).searchParams.has('ltik') && r.body.includes('Welcome'),
    },
    process: tool,
    url,
    databaseUrl,
    stop: async () => {
      await tool.stop();
      await lms.close();
    },
  };
}

/** What one examgate process is started with (see `startExamgateProcess`). */
export interface ExamgateProcessOptions {
  ctx: Pick<BenchContext, 'cpuProfileDir' | 'tls'>;
  name: string;
  /** Where it listens, on 127.0.0.1. */
  port: number;
  /** Its PUBLIC_URL: its own address, or that of a balancer in front of several processes. */
  publicUrl: string;
  databaseUrl: string;
  checkout?: string;
  /** Settings beside (or instead of) the bench's own, e.g. a higher IMPORT_MAX_ROWS. */
  env?: Record<string, string>;
}

/** The environment of a bench examgate (the process, and a CLI run against the same database). */
export function examgateEnv(options: Omit<ExamgateProcessOptions, 'name' | 'checkout'>): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    // Plain http on loopback: the TLS proxy in front of a real deployment is not examgate's work.
    PUBLIC_URL: options.publicUrl,
    DATABASE_URL: options.databaseUrl,
    SECRET_KEY: BENCH_SECRET_KEY,
    ADMIN_TOKEN,
    NODE_EXTRA_CA_CERTS: options.ctx.tls.caFile,
    LTI_TOKEN_MAX_AGE_SECONDS: String(TOKEN_MAX_AGE_SECONDS),
    // Every bench launch comes from 127.0.0.1: the throttle still counts each login (its
    // cost is measured) but with limits no bench run reaches.
    LTI_LOGIN_PER_ADDRESS_PER_MINUTE: '10000000',
    LTI_LOGIN_PER_PLATFORM_PER_MINUTE: '10000000',
    ...options.env,
  };
}

/**
 * One process of examgate's production build (`node dist/src/main.js`, NODE_ENV=production,
 * only the CPU probe added), ready when its /readyz answers. Several may share one database
 * (a balancer in front, as README's "Several processes" deploys them).
 */
export async function startExamgateProcess(options: ExamgateProcessOptions): Promise<ToolProcess> {
  const url = `http://127.0.0.1:${options.port}`;
  return ToolProcess.start({
    entry: productionMain(options.checkout ?? REPO),
    preload: PROBE_PRELOAD,
    name: options.name,
    ready: { url: `${url}/readyz` },
    cpuProfileDir: options.ctx.cpuProfileDir,
    env: examgateEnv(options),
  });
}

/**
 * examgate's production build (one process, `startExamgateProcess`), launched by an https
 * LMS (production refuses plain-http LMS addresses), the LMS registered through the admin API.
 * `checkout` runs the build of another working copy instead (a before/after comparison).
 */
export async function startExamgate(
  db: BenchDatabase,
  ctx: Pick<BenchContext, 'cpuProfileDir' | 'tls'>,
  checkout?: string,
  env?: Record<string, string>,
): Promise<RunningTool> {
  const https = await startHttpsLms(LMS_IDS, ctx.tls);
  const lms = https.lms;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const name = checkout ? `examgate-${path.basename(checkout)}` : 'examgate';
  const databaseUrl = await db.fresh(name.replace(/\W/g, '_'));
  const tool = await startExamgateProcess({ ctx, name, port, publicUrl: url, databaseUrl, checkout, env }).catch(async (err: unknown) => {
    await https.close();
    throw err;
  });
  const stop = async () => {
    await tool.stop();
    await https.close();
  };
  let platformId: string;
  try {
    const response = await fetch(`${url}/admin/api/platforms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(lms.registration),
    });
    if (response.status !== 201) {
      throw new Error(`registering the LMS with examgate answered ${response.status}: ${await response.text()}`);
    }
    platformId = ((await response.json()) as { platform: { id: string } }).platform.id;
  } catch (err) {
    await stop();
    throw err;
  }
  const endpoints = toolConfiguration(url);
  lms.configureTool({
    loginUrl: endpoints.loginUrl,
    launchUrl: endpoints.redirectUrl,
    jwksUrl: endpoints.jwksUrl,
    deepLinkingUrl: endpoints.deepLinkingUrl,
  });
  return {
    target: {
      name: checkout ? `examgate at ${checkout}` : 'examgate',
      lms,
      ca: ctx.tls.caPem,
      landed: (r) => r.status === 200 && pathOf(r).startsWith('/app'),
    },
    process: tool,
    url,
    databaseUrl,
    platformId,
    env: examgateEnv({ ctx, port, publicUrl: url, databaseUrl, env }),
    stop,
  };
}
