import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './tls-certificates.js';

/**
 * What a production examgate sits behind: a proxy that terminates TLS and forwards plain
 * http to the process, saying who the client was (X-Forwarded-For) and that it came over
 * https (X-Forwarded-Proto), as nginx or a load balancer would.
 */
export class TlsProxy {
  #server: Server | null = null;
  url = '';

  constructor(
    private readonly upstream: string,
    private readonly tls: TestCertificates,
    /** The port examgate was told is its public one (its PUBLIC_URL); 0 lets the OS choose. */
    private readonly port = 0,
  ) {}

  async start(): Promise<void> {
    const server = createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => {
      const headers = {
        ...req.headers,
        'x-forwarded-for': req.socket.remoteAddress ?? '',
        'x-forwarded-proto': 'https',
      };
      const upstream = request(new URL(req.url ?? '/', this.upstream), { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
