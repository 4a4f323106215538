import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { ConfigError, type Config } from '../config.js';

/** Where the sample engine listens and the address examgate hands candidates off to. */
export interface SampleEngineAddress {
  /** PORT + 1 (any free port when examgate's is 0). */
  port: number;
  /** The delivery URL; undefined: the address it listens on. */
  publicUrl: string | undefined;
}

/**
 * The engine listens on plain http on the next port. Its address cannot share examgate's origin
 * (each publishes its keys at /.well-known/jwks.json of its own origin), so it is derived from
 * PUBLIC_URL's host with the engine's port; that works for an http PUBLIC_URL only. Behind an
 * https PUBLIC_URL the engine needs an https address of its own (SAMPLE_ENGINE_URL), which only
 * the operator's proxy can give it.
 */
export function sampleEngineAddress(config: Config): SampleEngineAddress {
  const port = config.PORT === 0 ? 0 : config.PORT + 1;
  if (config.SAMPLE_ENGINE_URL) {
    return { port, publicUrl: new URL(config.SAMPLE_ENGINE_URL).href };
  }
  const examgate = new URL(config.PUBLIC_URL);
  if (examgate.protocol === 'https:') {
    const listens = port === 0 ? 'a free port' : `port ${port}`;
    throw new ConfigError([
      `PUBLIC_URL is https, so the sample delivery engine cannot be reached at an address derived from it (it listens on plain http on ${listens}). ` +
        `Set SAMPLE_ENGINE_URL to the https address where your proxy serves that port (on another origin than PUBLIC_URL), ` +
        `or set DEFAULT_DELIVERY_URL to your own delivery engine`,
    ]);
  }
  return { port, publicUrl: port === 0 ? undefined : `http://${examgate.hostname}:${port}/` };
}

/** In development a test with no delivery URL goes to the sample delivery engine from examples/, started beside examgate. */
export async function startSampleEngine(config: Config): Promise<RunningDeliveryEngine> {
  const { port, publicUrl } = sampleEngineAddress(config);
  return startDeliveryEngine({ examgateUrl: config.PUBLIC_URL, host: config.HOST, port, publicUrl });
}
