/**
 * Our records ↔ Splunk's: what splunkd sends becomes a {@link Row} (strings, and lists of strings for multivalue
 * fields), and what a command emits becomes values splunkd can index and compare.
 *
 * Splunk has no typed values in the protocol: everything travels as text. So an `ipaddr` goes out as its
 * canonical text (`cidrmatch()` and `iplocation` read it), an `int` as its digits, a `timestamp` as epoch seconds
 * with milliseconds, as Splunk writes `_time` (so `| eval t=strftime(last_seen, "%F %T")` and `| convert ctime(...)`
 * work), a `bool` as `true`/`false` as our own CLI prints it (splunklib would write `1`/`0`, which reads as a count
 * in a table; Splunk's `if(connected=="true", ...)` reads ours).
 *
 * @module
 */
import { IpAddress } from '../runtime/ip-address.js';
import type { Row, Value } from '../runtime/value.js';
import type { OutputRecord, SplunkRecord } from './mv-csv.js';

/** A record from splunkd as the commands take it: its fields as they came (a multivalue field as a list). */
export function rowFromSplunk(record: SplunkRecord): Row {
  const row: Row = {};
  for (const [field, value] of Object.entries(record)) setOwn(row, field, value);
  return row;
}

/** A record for splunkd: every value as Splunk text (see the module comment); lists stay lists (multivalue). */
export function recordForSplunk(row: Row): OutputRecord {
  const record: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(row)) setOwn(record, field, splunkValue(value));
  return record;
}

/** Sets a field as an own property: `object[field] = value` would set the prototype for a field named `__proto__`. */
function setOwn(object: Record<string, unknown>, field: string, value: unknown): void {
  Object.defineProperty(object, field, { value, enumerable: true, writable: true, configurable: true });
}

function splunkValue(value: Value): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof IpAddress) return value.toString();
  if (value instanceof Date) return epochSeconds(value);
  if (Array.isArray(value)) return value.map((item: Value) => splunkValue(item));
  // A map: its entries converted alike (formatRecords writes it as compact JSON).
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, splunkValue(item)]));
}

/** `1700000000.123`: epoch seconds with milliseconds, as Splunk writes `_time`. */
function epochSeconds(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return '';
  return (ms / 1000).toFixed(3);
}
