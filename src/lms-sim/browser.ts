/**
 * A browser stand-in for driving LTI launches over real HTTP: it keeps
 * cookies per host and follows redirects the way browsers do, which is what
 * the OIDC third-party-initiated login depends on.
 */
import { CookieJar, hostKey } from './cookie-jar.js';

export { submitAutoPostForm } from './form.js';
export type { AutoPostForm } from './form.js';

export interface BrowserRequestInit {
  method?: string;
  /** Sent as application/x-www-form-urlencoded. */
  form?: Record<string, string>;
  /** Sent as it is, with the content-type the caller puts in `headers` (a multipart upload); ignored when `form` is given. */
  body?: string | Uint8Array<ArrayBuffer>;
  headers?: Record<string, string>;
}

export interface FollowResult {
  response: Response;
  /** The URL that produced `response`, after redirects. */
  url: string;
  body: string;
}

/** One HTTP exchange, no redirect following. The default is fetch; the bench uses node:http (cheaper per request). */
export type Transport = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> },
) => Promise<Response>;

const fetchTransport: Transport = (url, init) => fetch(url, { ...init, redirect: 'manual' });

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 10;

export class Browser {
  readonly #jar = new CookieJar();

  constructor(private readonly transport: Transport = fetchTransport) {}

  /**
   * Performs exactly one HTTP exchange (no redirect following), sending the
   * stored cookies of the URL's host and storing any Set-Cookie it returns.
   */
  async request(url: string, init: BrowserRequestInit = {}): Promise<Response> {
    const host = hostKey(url);
    const headers: Record<string, string> = { 'user-agent': 'examgate-sim-browser', ...init.headers };
    const cookie = this.#jar.header(host);
    if (cookie !== undefined) {
      headers.cookie = cookie;
    }
    let body = init.body;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const method = init.method ?? (init.form || init.body ? 'POST' : 'GET');
    const response = await this.transport(url, { method, headers, body });
    for (const setCookie of response.headers.getSetCookie()) {
      this.#jar.store(host, setCookie);
    }
    return response;
  }

  /**
   * Requests `url` and follows up to 10 redirects. 303, and 301/302 after a
   * POST, turn into a GET without body (as browsers do); 307/308 repeat the
   * request as it was. Throws when the chain is longer.
   */
  async follow(url: string, init: BrowserRequestInit = {}): Promise<FollowResult> {
    let current = url;
    let currentInit = init;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      const response = await this.request(current, currentInit);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || location === null) {
        return { response, url: current, body: await response.text() };
      }
      // Drain the redirect body so the keep-alive socket can be reused.
      await response.arrayBuffer();
      currentInit = redirectedInit(response.status, currentInit);
      current = new URL(location, current).toString();
    }
    throw new Error(`more than ${MAX_REDIRECTS} redirects starting at ${url}`);
  }

  /** Stores a cookie as if `url` had answered with this Set-Cookie header (a test that starts a session itself). */
  storeCookie(url: string, setCookie: string): void {
    this.#jar.store(hostKey(url), setCookie);
  }

  /** Current cookies of a host ("127.0.0.1:3000") or of the host of a URL. */
  cookies(host: string): Record<string, string> {
    return this.#jar.snapshot(host);
  }

  /** Forgets the cookies of one host, or all cookies. */
  clearCookies(host?: string): void {
    this.#jar.clear(host);
  }
}

function redirectedInit(status: number, init: BrowserRequestInit): BrowserRequestInit {
  const method = (init.method ?? (init.form || init.body ? 'POST' : 'GET')).toUpperCase();
  const keepsMethod = status === 307 || status === 308 || method === 'GET' || method === 'HEAD';
  if (keepsMethod) {
    return init;
  }
  return init.headers ? { method: 'GET', headers: init.headers } : { method: 'GET' };
}
