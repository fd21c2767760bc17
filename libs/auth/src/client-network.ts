import { isIPv4, isIPv6 } from 'node:net';

/**
 * What a per-IP limit counts: an IPv4 address, or the /64 of an IPv6 one (one subscriber usually
 * gets a whole /64, so counting single IPv6 addresses would let a caller rotate past any limit).
 */
export function clientNetworkOf(ip: string | undefined): string {
  if (!ip) return 'unknown';
  const address = ip.split('%')[0];
  const mappedIpv4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)?.[1];
  if (mappedIpv4 && isIPv4(mappedIpv4)) return mappedIpv4;
  if (isIPv4(address)) return address;
  if (isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return 'unknown';
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
function ipv6Groups(address: string): string[] {
  // An embedded IPv4 tail (::ffff:1.2.3.4, 64:ff9b::1.2.3.4) takes the room of two groups.
  const withoutIpv4Tail = address.replace(/\d{1,3}(?:\.\d{1,3}){3}$/, '0:0');
  const [head, tail] = withoutIpv4Tail.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}
