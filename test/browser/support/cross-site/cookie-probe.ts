import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTPS site beside examgate (same site, another host) that shows what a cookie profile
 * lets a page keep: GET /set sets one plain SameSite=None cookie and one Partitioned one, GET /read
 * shows which of them came back, in <output id="cookies">. The world's own check that each
 * Chromium profile is what the embedded-launch tests take it to be.
 */
export class CookieProbe {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(hostname: string, tls: { key: string; cert: string }): Promise<CookieProbe> {
    const server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      const path = new URL(req.url ?? '/', 'https://probe').pathname;
      if (path === '/set') {
        res.setHeader('set-cookie', [
          'unpartitioned=1; Path=/; Secure; HttpOnly; SameSite=None',
          'partitioned=1; Path=/; Secure; HttpOnly; SameSite=None; Partitioned',
        ]);
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>set</title><p>set</p>');
        return;
      }
      const names = (req.headers.cookie ?? '')
        .split(';')
        .map((pair) => pair.split('=')[0]!.trim())
        .filter((name) => /^[\w-]+$/.test(name))
        .sort();
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(`<!doctype html><title>read</title><output id="cookies">${names.join(' ')}</output>`);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return new CookieProbe(server, `https://${hostname}:${(server.address() as AddressInfo).port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
