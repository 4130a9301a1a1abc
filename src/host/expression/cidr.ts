import ipaddr from 'ipaddr.js';
import { IpAddress } from '../../runtime/ip-address.js';
import type { Value } from '../../runtime/value.js';

/** A network, `10.0.0.0/8` or `fd00::/8`: its address (as ipaddr.js holds it) and prefix length. */
export type Cidr = readonly [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Reads `ADDRESS/BITS`, or `undefined` when `text` is not one. The address part is held to the strict
 * {@link IpAddress} form (no octal or hex IPv4, which ipaddr.js would accept); the prefix is 0–32 for IPv4,
 * 0–128 for IPv6. Bits set past the prefix are allowed (`10.1.2.3/8` is `10.0.0.0/8`), as in SPL.
 *
 * @example
 * ```ts
 * parseCidr('10.0.0.0/8'); // [IPv4 10.0.0.0, 8]
 * parseCidr('10.0.0.0'); // undefined
 * ```
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) return undefined;
  const address = IpAddress.tryParse(text.slice(0, slash));
  if (!address) return undefined;
  try {
    return ipaddr.parseCIDR(`${address.toString()}/${text.slice(slash + 1)}`);
  } catch {
    return undefined; // a prefix longer than the family allows
  }
}

// A query's network is almost always one literal: parsed once, not once per record.
let lastText: string | undefined;
let lastCidr: Cidr | undefined;

/** {@link parseCidr}, remembering the last text it read. */
export function cidrOf(text: string): Cidr | undefined {
  if (text !== lastText) {
    lastCidr = parseCidr(text);
    lastText = text;
  }
  return lastCidr;
}

/**
 * Whether `value` (an ipaddr, or a string holding an address) lies in `cidr`. IPv4 and IPv4-mapped IPv6 are one
 * address: `::ffff:10.1.2.3` is in `10.0.0.0/8`, and `10.1.2.3` in `::ffff:10.0.0.0/104`. Anything else
 * (`null`, a number, text that is not an address) is in no network.
 */
export function inCidr(value: Value, cidr: Cidr): boolean {
  const address = value instanceof IpAddress ? value : typeof value === 'string' ? IpAddress.tryParse(value) : undefined;
  if (!address) return false;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(address.toString());
  const [network, bits] = cidr;
  if (parsed.kind() !== network.kind()) {
    if (parsed instanceof ipaddr.IPv6 && parsed.isIPv4MappedAddress()) parsed = parsed.toIPv4Address();
    else if (parsed instanceof ipaddr.IPv4) parsed = parsed.toIPv4MappedAddress();
    else return false;
  }
  return parsed.match(network, bits);
}
