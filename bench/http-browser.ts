import http from 'node:http';
import { Browser, type BrowserRequestInit } from '../src/lms-sim/browser.js';
import { CookieJar, hostKey } from '../src/lms-sim/cookie-jar.js';

/** One keep-alive connection pool for every simulated browser of the bench. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The simulated LMS's Browser, with its HTTP exchanges made by node:http instead of fetch.
 * Cookie handling and redirect following are the Browser's own (same CookieJar, inherited
 * `follow`); only the transport differs. fetch costs about 0.3 ms more CPU per request,
 * which on a 2-core machine the load generator would take from the tools it measures.
 */
export class HttpBrowser extends Browser {
  readonly #jar = new CookieJar();

  override async request(url: string, init: BrowserRequestInit = {}): Promise<Response> {
    const host = hostKey(url);
    const headers: Record<string, string> = { 'user-agent': 'examgate-bench-browser', ...init.headers };
    const cookie = this.#jar.header(host);
    if (cookie !== undefined) {
      headers.cookie = cookie;
    }
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const method = init.method ?? (init.form ? 'POST' : 'GET');
    const { status, rawHeaders, payload } = await exchange(url, method, headers, body);
    const responseHeaders = new Headers();
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      responseHeaders.append(rawHeaders[i] as string, rawHeaders[i + 1] as string);
    }
    for (const setCookie of responseHeaders.getSetCookie()) {
      this.#jar.store(host, setCookie);
    }
    return new Response(NULL_BODY_STATUSES.has(status) ? null : payload, { status, headers: responseHeaders });
  }

  override cookies(host: string): Record<string, string> {
    return this.#jar.snapshot(host);
  }

  override clearCookies(host?: string): void {
    this.#jar.clear(host);
  }
}

function exchange(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; rawHeaders: string[]; payload: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, rawHeaders: response.rawHeaders, payload: Buffer.concat(chunks) }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}
