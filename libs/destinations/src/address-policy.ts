import * as ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';

/** Host names that always mean this machine or a cloud metadata service. */
const LOCAL_NAMES = /^(localhost|.+\.localhost|metadata\.google\.internal|metadata)\.?$/i;

/**
 * The IPv4 address an IPv4-compatible IPv6 address (`::a.b.c.d`, i.e. `::/96` but `::` and `::1`)
 * carries, or null. ipaddr.js unwraps `::127.0.0.1` written dotted but judged the same address
 * written in hex (`::7f00:1`) as public unicast, so the hextets are read here, whatever the
 * notation.
 */
function ipv4Compatible(parsed: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | null {
  if (parsed.kind() !== 'ipv6') return null;
  const parts = (parsed as ipaddr.IPv6).parts;
  if (parts.slice(0, 6).some((part) => part !== 0)) return null;
  if (parts[6] === 0 && parts[7] <= 1) return null;
  return new ipaddr.IPv4([parts[6] >> 8, parts[6] & 0xff, parts[7] >> 8, parts[7] & 0xff]);
}

/**
 * Why an IP address is not a public unicast one (`loopback`, `private`, `linkLocal` — which
 * holds the 169.254.169.254 metadata service —, `uniqueLocal`, …), or null when it is public;
 * `invalid address` when it does not parse. IPv4-mapped (`::ffff:a.b.c.d`) and IPv4-compatible
 * (`::a.b.c.d`) IPv6 addresses are judged as the IPv4 address they carry, in dotted or hex
 * notation alike (`::ffff:7f00:1`, `::7f00:1`). SPEC section 4.
 */
export function nonPublicRange(address: string): string | null {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.process(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return 'invalid address';
  }
  const range = (ipv4Compatible(parsed) ?? parsed).range();
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
