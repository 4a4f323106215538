import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_SETUP, type TestWorld } from './examgate-under-test.js';

export async function platformsOf(world: TestWorld, issuer: string) {
  return (await world.examgate.platforms.list()).filter((p) => p.issuer === issuer);
}

export async function removePlatformsOf(world: TestWorld, issuer: string): Promise<void> {
  for (const platform of await platformsOf(world, issuer)) {
    await world.examgate.platforms.remove(platform.id, TEST_SETUP);
  }
}

/** What the LMS admin's browser does: open examgate's registration URL with the LMS's parameters. */
export async function openRegistration(url: string): Promise<{ status: number; body: string; csp: string }> {
  const response = await fetch(url, { headers: { accept: 'text/html' } });
  return { status: response.status, body: await response.text(), csp: response.headers.get('content-security-policy') ?? '' };
}

/** The origins examgate's pages may be framed by, read from a page's CSP header. */
export async function frameAncestorsOf(examgateUrl: string): Promise<string[]> {
  const response = await fetch(`${examgateUrl}/`);
  await response.body?.cancel();
  const csp = response.headers.get('content-security-policy') ?? '';
  const directive = csp.split(';').find((d) => d.trim().startsWith('frame-ancestors')) ?? '';
  return directive.trim().split(/\s+/).slice(1);
}

/** A stand-in "LMS" on 127.0.0.1 answering as `handler` says; counts the requests it got. */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; base: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/openid-configuration`,
    base,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A stand-in LMS that serves `body` as its OpenID configuration. */
export function serveJson(body: unknown) {
  return serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
}
