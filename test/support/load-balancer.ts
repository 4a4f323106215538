import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Backend = 'a' | 'b';

/**
 * A reverse proxy in front of two examgate processes, as a load balancer in production: one
 * public address, requests spread over both. Routes are the test's choice: a fixed backend
 * per path prefix, else `mode` (one backend, or round robin).
 */
export class LoadBalancer {
  mode: Backend | 'round-robin' = 'a';
  readonly routes = new Map<string, Backend>();
  readonly served: Record<Backend, number> = { a: 0, b: 0 };
  #turn = 0;
  #server: Server | null = null;
  url = '';

  constructor(
    private readonly backends: Record<Backend, string>,
    /** The port the processes were told is theirs (their PUBLIC_URL); 0 lets the OS choose. */
    private readonly port = 0,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const backend = this.#pick(req.url ?? '/');
      this.served[backend] += 1;
      const target = new URL(req.url ?? '/', this.backends[backend]);
      const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        res.writeHead(502).end();
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  #pick(path: string): Backend {
    for (const [prefix, backend] of this.routes) {
      if (path.startsWith(prefix)) {
        return backend;
      }
    }
    if (this.mode !== 'round-robin') {
      return this.mode;
    }
    this.#turn += 1;
    return this.#turn % 2 === 0 ? 'a' : 'b';
  }
}
