import { IpAddress } from '../../runtime/ip-address.js';
import type { Value } from '../../runtime/value.js';

/**
 * A string that is the same for two values exactly when they are the same group in `stats ... by`: the type
 * is part of the key (ipaddr 1.2.3.4 and string "1.2.3.4" differ), but numbers are one type (1 and 1n and 1.0
 * are one group), as they are for `==`.
 */
export function valueKey(value: Value): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return `s:${value}`;
    case 'boolean':
      return `b:${value}`;
    case 'bigint':
      return `n:${value}`;
    // Integers print through BigInt so that 1e21 and 10n ** 21n share a key; others cannot collide with them.
    case 'number':
      return `n:${Number.isInteger(value) ? BigInt(value) : value}`;
    default:
      if (value instanceof IpAddress) return `ip:${value.toString()}`;
      if (value instanceof Date) return `t:${value.getTime()}`;
      if (Array.isArray(value)) return `l:${JSON.stringify(value.map(valueKey))}`;
      return `m:${JSON.stringify(Object.entries(value).map(([k, v]) => [k, valueKey(v)]))}`;
  }
}

/** The group key of several values (the `by` fields of one record). */
export function groupKey(values: readonly Value[]): string {
  return JSON.stringify(values.map(valueKey));
}
