import * as ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Host names that always mean this machine or a cloud metadata service. */
const LOCAL_NAMES = /^(localhost|.+\.localhost|metadata\.google\.internal|metadata)\.?$/i;

/**
 * Why an IP address is not a public unicast one (`loopback`, `private`, `linkLocal` — which
 * holds the 169.254.169.254 metadata service —, `uniqueLocal`, …), or null when it is public.
 * IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry. SPEC section 4.
 */
export function nonPublicRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid address';
  }
  const range = parsed.range();
  return range === 'unicast' ? null : range;
}

/**
 * Why a URL's host, taken literally, may not be a destination: a loopback, private, link-local,
 * metadata (or otherwise non-public) IP address, or a local name such as `localhost`; null when
 * the literal host is acceptable. Names are judged again on their resolved address at send time.
 */
export function literalHostProblem(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (LOCAL_NAMES.test(host)) return `${host} is a local name`;
  if (isIP(host) === 0) return null;
  const range = nonPublicRange(host);
  return range === null ? null : `${host} is a ${range} address`;
}
