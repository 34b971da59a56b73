import { isIPv4, isIPv6 } from 'node:net';

/** The 8 groups of an IPv6 address (zone dropped, an embedded IPv4 tail as two groups), or null. */
function ipv6Groups(address: string): number[] | null {
  let text = address.split('%')[0];
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (v4Tail) {
    const [a, b, c, d] = v4Tail.split('.').map(Number);
    text = `${text.slice(0, -v4Tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((group) => parseInt(group, 16)) : []);
  const front = parse(head);
  const back = parse(tail);
  const groups = tail === undefined ? front : [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return groups.length === 8 ? groups : null;
}

/**
 * What per-address rate limits count a client as. One IPv6 subscriber usually holds a whole /64
 * (SLAAC, privacy addresses): keyed by single address, a client could rotate through 2^64 of them,
 * so an IPv6 client is its /64. An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, a dual-stack
 * socket) is the IPv4 address it carries, so both spellings count as one client.
 */
export function rateLimitAddress(address: string): string {
  if (isIPv4(address) || !isIPv6(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return address;
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}
