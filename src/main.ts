import './threadpool.js';
import { createServer } from 'node:http';
import { bootstrap } from './bootstrap.js';
import { ConfigError, loadConfig, portMismatchWarning, type Config } from './config.js';
import { DatabaseUnavailableError } from './db/database.js';
import { createLogger } from './logger.js';
import { StoredSecretsUnreadableError } from './stored-secrets.js';
import { describeToolConfiguration, toolConfiguration } from './platforms/tool-configuration.js';
import { startSampleEngine } from './demo/sample-engine.js';

const KEEP_ALIVE_MS = 65_000;

function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/** The sample engine, when development has no delivery URL of its own; an address that cannot work stops the start. */
async function startSampleEngineOrExit(config: Config) {
  try {
    return await startSampleEngine(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

/**
 * Production runs the compiled build (node dist/src/main.js): running this file as TypeScript
 * means a TypeScript runtime (tsx) compiles every module at start and stays loaded.
 */
function refuseTypeScriptInProduction(config: Config): void {
  if (config.NODE_ENV === 'production' && import.meta.url.endsWith('.ts')) {
    console.error('In production examgate runs its compiled build: npm run build, then npm run start:prod (node dist/src/main.js).');
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const loaded = loadConfigOrExit();
  refuseTypeScriptInProduction(loaded);
  const log = createLogger(loaded);
  const sampleEngine = loaded.DEMO_LMS_ENABLED && !loaded.DEFAULT_DELIVERY_URL ? await startSampleEngineOrExit(loaded) : null;
  const config: Config = sampleEngine ? Object.freeze({ ...loaded, DEFAULT_DELIVERY_URL: sampleEngine.url.replace(/\/$/, '') }) : loaded;
  let examgate;
  try {
    examgate = await bootstrap(config, log);
  } catch (err) {
    if (err instanceof DatabaseUnavailableError) {
      console.error(`${err.message}\nexamgate cannot start without its database. Check DATABASE_URL and that the server is running.`);
      process.exit(1);
    }
    if (err instanceof StoredSecretsUnreadableError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const server = createServer(examgate.app);
  // A proxy in front keeps connections to examgate open between requests. Node's default of
  // 5 s would close them under the proxy's feet (a request sent on a connection being closed
  // fails: a 502 for someone); held longer than proxies and load balancers keep idle ones
  // (nginx 60 s upstream keepalive_timeout, AWS 60 s), the proxy always closes first.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  log.info({ url: config.PUBLIC_URL, port: config.PORT, env: config.NODE_ENV }, 'examgate listening');
  console.log(`\nexamgate is running at ${config.PUBLIC_URL}\n\n${describeToolConfiguration(toolConfiguration(config.PUBLIC_URL))}\n`);
  const mismatch = portMismatchWarning(config);
  if (mismatch) {
    console.warn(`WARNING: ${mismatch}\n`);
  }
  if (config.ADMIN_TOKEN) {
    console.log(`Admin page: ${config.PUBLIC_URL}/admin (sign in with ADMIN_TOKEN) to register LMSs and approve them.\n`);
  }
  if (config.DEMO_LMS_ENABLED) {
    console.log(`Demo LMS: open ${config.PUBLIC_URL}/demo to launch examgate as an instructor or a student.\n`);
  }
  console.log(`Delivery engines verify hand-offs with ${config.PUBLIC_URL}/.well-known/jwks.json (docs/delivery-protocol.md).\n`);
  if (sampleEngine) {
    const behindProxy = config.SAMPLE_ENGINE_URL
      ? ` Your proxy forwards that address to http://${config.HOST}:${config.PORT + 1}, where it listens.`
      : '';
    console.log(`Sample delivery engine: ${sampleEngine.url} (tests without a delivery URL of their own go there).${behindProxy}\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    server.close(() => {
      Promise.all([examgate.close(), sampleEngine?.close()]).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    // Keep-alive connections would hold close() open; give in-flight requests 10 s.
    setTimeout(() => process.exit(0), 10_000).unref();
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
