/**
 * Loaded with `node --import` into the examgate child of the cross-site world only, never into
 * the test process: its fetches to the LMS (JWKS, token, NRPS, AGS) and to the delivery engine
 * go to https://*.test names, which this machine answers. Node's fetch and node:http(s) (ltijs's
 * HTTP client) both resolve names through dns.lookup at connect time, so one replacement covers
 * every client in the process. The test CA is trusted the operator's way: NODE_EXTRA_CA_CERTS.
 */
import dns from 'node:dns';
import { testHostsLookup, type Lookup, type LookupCallback } from './test-hosts.js';

const resolve = testHostsLookup(dns.lookup.bind(dns) as Lookup);

/** dns.lookup's overloads: (host, callback), (host, family, callback), (host, options, callback). */
function lookupWithTestHosts(hostname: string, ...rest: unknown[]): void {
  const callback = rest.pop() as LookupCallback;
  const [options] = rest;
  resolve(hostname, typeof options === 'number' ? { family: options } : ((options as dns.LookupOptions | undefined) ?? {}), callback);
}

// One function serves every overload, which TypeScript cannot express as typeof dns.lookup.
dns.lookup = lookupWithTestHosts as unknown as typeof dns.lookup;
