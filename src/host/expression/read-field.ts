import type { Row, Value } from '../../runtime/value.js';

/**
 * The value of `name` in `row`; a missing field reads as `null`. Only own fields count, so a field named
 * `constructor` or `__proto__` is not read off `Object.prototype`.
 */
export function readField(row: Row, name: string): Value {
  return Object.hasOwn(row, name) ? (row[name] ?? null) : null;
}
