import { IpAddress } from '../../runtime/ip-address.js';
import type { Value } from '../../runtime/value.js';

/** A number or bigint: the int, long and double types, which compare with each other. */
export function isNumeric(value: Value): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** Orders two numbers (number and bigint mix exactly); `undefined` when either is NaN. */
export function compareNumbers(a: number | bigint, b: number | bigint): number | undefined {
  if (a < b) return -1;
  if (a > b) return 1;
  // Neither less nor greater: equal, or one is NaN.
  return Number.isNaN(a) || Number.isNaN(b) ? undefined : 0;
}

/**
 * `a == b` of the query language. Values of different types are never equal, with one exception: an ipaddr
 * equals a string that parses to the same address (`local_ip == "0:0:0:0:0:0:0:1"` matches `::1`).
 * `null` equals only `null`. Lists and maps are equal when their items are.
 */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return a === b;
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(a, b) === 0;
  const ipOrder = compareAddressAndText(a, b);
  if (ipOrder !== null) return ipOrder === 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i] ?? null));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && valuesEqual(a[k] ?? null, b[k] ?? null));
  }
  return a === b;
}

/**
 * The order of `a` and `b` for `<`, `<=`, `>`, `>=`, or `undefined` when they are not ordered: either is
 * `null`, or their types differ (except ipaddr against a string that parses as an address). Numbers order
 * numerically, strings by UTF-16 code units, ipaddrs with IPv4 first, timestamps by time, `false < true`.
 */
export function compareValues(a: Value, b: Value): number | undefined {
  if (a === null || b === null) return undefined;
  if (isNumeric(a) && isNumeric(b)) return compareNumbers(a, b);
  const ipOrder = compareAddressAndText(a, b);
  if (ipOrder !== null) return ipOrder;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return undefined;
}

/**
 * Orders two values when at least one is an ipaddr and the other an ipaddr or a string that parses as one;
 * `undefined` when the string is not an address; `null` when this rule does not apply.
 */
function compareAddressAndText(a: Value, b: Value): number | undefined | null {
  if (!(a instanceof IpAddress) && !(b instanceof IpAddress)) return null;
  const left = asAddress(a);
  const right = asAddress(b);
  if (left === null || right === null) return null;
  return left && right ? left.compare(right) : undefined;
}

/** The address, `undefined` for a string that is not one, `null` for any other type. */
function asAddress(value: Value): IpAddress | undefined | null {
  if (value instanceof IpAddress) return value;
  return typeof value === 'string' ? IpAddress.tryParse(value) : null;
}

function isMap(value: Value): value is { readonly [key: string]: Value } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof IpAddress);
}
