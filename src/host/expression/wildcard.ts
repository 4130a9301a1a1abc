import { IpAddress } from '../../runtime/ip-address.js';
import type { Value } from '../../runtime/value.js';

/** Compiled patterns; a query's patterns are few and reused for every record. */
const compiled = new Map<string, RegExp>();

/** True when a string literal is a wildcard pattern for `==` and `!=`. */
export function isWildcardPattern(text: string): boolean {
  return text.includes('*');
}

/**
 * Whether `value` matches `pattern`, where `*` matches any run of characters (case-sensitive, whole value).
 * Strings match by their text, ipaddrs by their canonical text form; other types never match.
 *
 * @example
 * ```ts
 * matchesWildcard('LISTEN', 'LIST*'); // true
 * ```
 */
export function matchesWildcard(value: Value, pattern: string): boolean {
  const text = typeof value === 'string' ? value : value instanceof IpAddress ? value.toString() : undefined;
  if (text === undefined) return false;
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[\\^$.|?+()[\]{}]/g, '\\$&'))
      .join('.*');
    regex = new RegExp(`^${source}$`, 's');
    compiled.set(pattern, regex);
  }
  return regex.test(text);
}
