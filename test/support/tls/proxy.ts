import { request } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificates } from './certificates.js';

/**
 * A TLS-terminating reverse proxy, as production runs examgate (nginx or a load balancer): browsers speak HTTPS to
 * https://<hostname>:<port>, the proxy forwards plain HTTP to a backend on 127.0.0.1 and says what
 * the browser asked for in X-Forwarded-Proto / -For / -Host (examgate trusts a proxy on loopback).
 * It listens before its backend exists, so the backend can be told its public URL: forwardTo() it.
 */
export class TlsTerminatingProxy {
  #backend: string | null = null;

  private constructor(
    private readonly server: Server,
    /** https://<hostname>:<port>, the public URL. */
    readonly url: string,
  ) {}

  /** `port` 0 lets the OS choose; a fixed one is for a backend that was told its public URL before the proxy started. */
  static async start(hostname: string, tls: Pick<TestCertificates, 'key' | 'cert'>, port = 0): Promise<TlsTerminatingProxy> {
    const server = createServer({ key: tls.key, cert: tls.cert });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const proxy = new TlsTerminatingProxy(server, `https://${hostname}:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      const backend = proxy.#backend;
      if (!backend) {
        res.writeHead(503, { 'content-type': 'text/plain' }).end('the proxy has no backend yet');
        return;
      }
      const forwardedFor = [req.headers['x-forwarded-for'], req.socket.remoteAddress].filter(Boolean).join(', ');
      const headers = {
        ...req.headers,
        'x-forwarded-proto': 'https',
        'x-forwarded-for': forwardedFor,
        'x-forwarded-host': req.headers.host ?? '',
      };
      const upstream = request(new URL(req.url ?? '/', backend), { method: req.method, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
        }
        res.end('the backend did not answer');
      });
      req.pipe(upstream);
    });
    return proxy;
  }

  /** Where requests go from now on (http://127.0.0.1:PORT). */
  forwardTo(backend: string): void {
    this.#backend = backend;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
