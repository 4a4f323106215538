import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

/**
 * The world's sites live under .test, the top-level domain reserved for testing (RFC 6761), so a
 * name that resolves here can never be a real host. Every such name is this machine.
 */
export function isTestHost(hostname: string): boolean {
  return /(^|\.)test\.?$/i.test(hostname);
}

export type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
export type Lookup = (hostname: string, options: LookupOptions, callback: LookupCallback) => void;

/** A dns.lookup (the signature net.connect and tls.connect call) answering every .test name with 127.0.0.1, and others through `system`. */
export function testHostsLookup(system: Lookup = dnsLookup): Lookup {
  return (hostname, options, callback) => {
    if (!isTestHost(hostname)) {
      system(hostname, options, callback);
      return;
    }
    if (options.all) {
      process.nextTick(callback, null, [{ address: '127.0.0.1', family: 4 }]);
    } else {
      process.nextTick(callback, null, '127.0.0.1', 4);
    }
  };
}
