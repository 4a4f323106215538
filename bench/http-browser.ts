import http from 'node:http';
import https from 'node:https';
import { Browser, type Transport } from '../src/lms-sim/browser.js';

/**
 * One keep-alive connection pool for every simulated browser of the bench. An idle connection
 * is dropped after 4 s, before a server's own 5 s default closes it: otherwise the first
 * request of a run can go out on a connection the server is closing, and fail (ECONNRESET).
 */
const IDLE_MS = 4_000;
const plainAgent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_MS });
const tlsAgents = new Map<string, https.Agent>();

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** Keep-alive https connections that trust `ca` (the bench's own CA, for its https LMS). */
function tlsAgent(ca: string): https.Agent {
  let agent = tlsAgents.get(ca);
  if (!agent) {
    agent = new https.Agent({ keepAlive: true, maxSockets: 256, timeout: IDLE_MS, ca });
    tlsAgents.set(ca, agent);
  }
  return agent;
}

/**
 * The transport of the bench's simulated browsers: node:http(s) instead of fetch. fetch costs
 * about 0.3 ms more CPU per request, which on a 2-core machine the load generator would
 * take from the tools it measures. Cookies and redirects stay the Browser's own.
 */
function nodeHttpTransport(ca: string | undefined): Transport {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
      const secure = url.startsWith('https:');
      if (secure && !ca) {
        reject(new Error(`${url}: the bench's browsers trust no CA for https`));
        return;
      }
      const send = secure ? https.request : http.request;
      const request = send(url, { method: init.method, headers, agent: secure ? tlsAgent(ca!) : plainAgent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < response.rawHeaders.length; i += 2) {
            responseHeaders.append(response.rawHeaders[i] as string, response.rawHeaders[i + 1] as string);
          }
          resolve(new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
        response.on('error', reject);
      });
      request.on('error', reject);
      request.end(init.body);
    });
}

/** A simulated browser; `ca` is the certificate authority it trusts for https (the bench's test CA). */
export function httpBrowser(ca?: string): Browser {
  return new Browser(nodeHttpTransport(ca));
}
