import http from 'node:http';
import { Browser, type Transport } from '../src/lms-sim/browser.js';

/** One keep-alive connection pool for every simulated browser of the bench. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * The transport of the bench's simulated browsers: node:http instead of fetch. fetch costs
 * about 0.3 ms more CPU per request, which on a 2-core machine the load generator would
 * take from the tools it measures. Cookies and redirects stay the Browser's own.
 */
const nodeHttpTransport: Transport = (url, init) =>
  new Promise((resolve, reject) => {
    const headers = init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) };
    const request = http.request(url, { method: init.method, headers, agent }, (response) => {
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

export function httpBrowser(): Browser {
  return new Browser(nodeHttpTransport);
}
