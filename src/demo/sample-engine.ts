import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import type { Config } from '../config.js';

/**
 * In development a test with no delivery URL goes to the sample delivery engine from
 * examples/, started beside examgate on the next port (or any free port when examgate's is 0).
 */
export async function startSampleEngine(config: Config): Promise<RunningDeliveryEngine> {
  const port = config.PORT === 0 ? 0 : config.PORT + 1;
  const publicUrl = port === 0 ? undefined : `${new URL(config.PUBLIC_URL).protocol}//${new URL(config.PUBLIC_URL).hostname}:${port}/`;
  return startDeliveryEngine({ examgateUrl: config.PUBLIC_URL, host: config.HOST, port, publicUrl });
}
