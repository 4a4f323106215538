import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { readCliConfig } from './cli-config.js';
import { createDeliveryEngine } from './engine.js';
import type { DeliveryEngineOptions } from './engine.js';

export interface StartDeliveryEngineOptions extends Omit<DeliveryEngineOptions, 'publicUrl'> {
  port?: number;
  host?: string;
  /** Path the hand-off is posted to (default "/"). */
  mountPath?: string;
  /** The delivery URL as browsers see it, when that is not http://host:port (behind a proxy). */
  publicUrl?: string;
}

export interface RunningDeliveryEngine {
  /** The delivery URL to configure on the exam in examgate. */
  url: string;
  origin: string;
  jwksUrl: string;
  close(): Promise<void>;
}

/** Starts the sample engine on its own HTTP server (port 0 picks a free port). */
export async function startDeliveryEngine(options: StartDeliveryEngineOptions): Promise<RunningDeliveryEngine> {
  const { port = 0, host = '127.0.0.1', mountPath = '/', publicUrl, ...engineOptions } = options;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const listeningOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const url = publicUrl ?? new URL(mountPath, listeningOrigin).href;
  let engine;
  try {
    engine = createDeliveryEngine({ ...engineOptions, publicUrl: url });
  } catch (err) {
    server.close();
    throw err;
  }
  server.on('request', engine.app);
  const origin = new URL(url).origin;
  const running = engine;
  return {
    url,
    origin,
    jwksUrl: `${origin}/.well-known/jwks.json`,
    close: async () => {
      running.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function main(): Promise<void> {
  const config = readCliConfig(process.env);
  if (!config.ok) {
    console.error(`The delivery engine cannot start:\n${config.problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  const engine = await startDeliveryEngine(config.options);
  console.log(`Sample delivery engine trusting examgate at ${config.options.examgateUrl}`);
  console.log(`  delivery URL: ${engine.url}`);
  console.log(`  JWKS:         ${engine.jwksUrl}`);
  const stop = (): void => {
    void engine.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error('The delivery engine stopped:', err);
    process.exit(1);
  });
}
