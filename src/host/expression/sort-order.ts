import { IpAddress } from '../../runtime/ip-address.js';
import type { Value } from '../../runtime/value.js';
import { compareNumbers, isNumeric } from './compare.js';

/**
 * The rank of each type in `sort`, for values of different types in one field (lowest first):
 * numbers (int, long, double together) < string < ipaddr < timestamp < bool < list < map < null.
 * `null` (and a missing field) ranks last, so it sorts last ascending and first descending.
 */
const TYPE_RANK = { number: 0, string: 1, ipaddr: 2, timestamp: 3, bool: 4, list: 5, map: 6, null: 7 } as const;

/**
 * A total order over values for `sort`: first by type rank, then within a type numerically (NaN after every
 * other number), by UTF-16 code units, by {@link IpAddress.compare}, by time, `false` before `true`. Lists and
 * maps are all equal to each other, so they keep their input order (the sort is stable).
 */
export function sortCompare(a: Value, b: Value): number {
  const rank = rankOf(a) - rankOf(b);
  if (rank !== 0) return rank;
  if (isNumeric(a) && isNumeric(b)) {
    const nanOrder = Number(Number.isNaN(a)) - Number(Number.isNaN(b));
    return nanOrder !== 0 ? nanOrder : (compareNumbers(a, b) ?? 0);
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof IpAddress && b instanceof IpAddress) return a.compare(b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return 0;
}

function rankOf(value: Value): number {
  if (value === null) return TYPE_RANK.null;
  if (isNumeric(value)) return TYPE_RANK.number;
  if (typeof value === 'string') return TYPE_RANK.string;
  if (typeof value === 'boolean') return TYPE_RANK.bool;
  if (value instanceof IpAddress) return TYPE_RANK.ipaddr;
  if (value instanceof Date) return TYPE_RANK.timestamp;
  return Array.isArray(value) ? TYPE_RANK.list : TYPE_RANK.map;
}
