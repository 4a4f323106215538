import { isIPv4, isIPv6 } from 'node:net';

/** The eight 16-bit groups of an IPv6 address, written out in full (a trailing dotted IPv4 part becomes two). */
function groupsOf(address: string): string[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let text = address;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...(tail === undefined ? [] : zeros), ...right].map((g) => parseInt(g, 16).toString(16));
}

/**
 * The key an address is throttled under. An IPv4 address (also when it arrives IPv4-mapped,
 * `::ffff:192.0.2.1`, as on a dual-stack socket) is itself; an IPv6 address counts as its /64,
 * the smallest block a provider hands one customer, who can otherwise take a fresh address
 * for every request and never meet a per-address limit.
 */
export function throttleAddressKey(ip: string): string {
  const address = ip.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) {
    return mapped[1]!;
  }
  if (!isIPv6(address)) {
    return address;
  }
  return `${groupsOf(address).slice(0, 4).join(':')}::/64`;
}
