import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import type { Transport } from '../../../../src/lms-sim/browser.js';
import { testHostsLookup } from './test-hosts.js';

/**
 * fetch for the test process that reaches the .test sites and trusts the test CA, through its own
 * undici Agent: nothing global changes, so the other test files' fetches are untouched.
 */
export function testHostsFetch(caPem: string): typeof fetch {
  const dispatcher = new Agent({ connect: { lookup: testHostsLookup(), ca: [...rootCertificates, caPem] } });
  // RequestInit's `dispatcher` is Node's (undici-types) Dispatcher; undici@6's Agent is the same class in another package.
  return (input, init) => fetch(input, { ...init, dispatcher } as RequestInit);
}

/** The simulated browser's transport over testHostsFetch: one exchange, redirects left to the Browser. */
export function testHostsTransport(caPem: string): Transport {
  const fetchTestHosts = testHostsFetch(caPem);
  return (url, init) => fetchTestHosts(url, { ...init, redirect: 'manual' });
}
