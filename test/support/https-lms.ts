import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SimulatedLms, type StartOptions } from '../../src/lms-sim/index.js';
import type { TestCertificates } from './tls/certificates.js';

/** A simulated LMS served over https, as real ones are (production examgate refuses plain-http LMS addresses). */
export interface HttpsLms {
  lms: SimulatedLms;
  close(): Promise<void>;
}

/**
 * The simulated LMS's router behind an https server on 127.0.0.1 with the test CA's
 * certificate. Whoever talks to it must trust `tls.caPem` (NODE_EXTRA_CA_CERTS for a child).
 */
export async function startHttpsLms(options: StartOptions, tls: Pick<TestCertificates, 'key' | 'cert'>): Promise<HttpsLms> {
  const app = express();
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const lms = new SimulatedLms({ ...options, baseUrl: `https://127.0.0.1:${port}` });
  app.use(lms.router);
  return {
    lms,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
