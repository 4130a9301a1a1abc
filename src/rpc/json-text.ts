/**
 * A result that is already JSON text: the channel splices it into the response frame instead of serialising
 * it again. The simulator answers thousands of calls with the same few answers this way. And the channel's
 * fallback for a result JSON.stringify cannot write (nested too deeply for its recursion).
 *
 * @module
 */

/** A handler result given as JSON text, sent as is. */
export class JsonText {
  /** @param text - valid JSON (not checked: whoever builds it vouches for it) */
  constructor(readonly text: string) {}
}

/** One array or object being written by {@link stringifyWithoutRecursion}. */
interface OpenContainer {
  readonly source: Readonly<Record<string, unknown>>;
  /** The keys to write; undefined for an array. */
  readonly keys: readonly string[] | undefined;
  /** The next index into the array or `keys`. */
  index: number;
  /** Members written so far (an object skips those whose value JSON leaves out). */
  written: number;
}

/** What `toJSON` makes of a value, as JSON.stringify asks it. */
function jsonValueOf(value: unknown, key: string): unknown {
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  return value;
}

/** Values JSON leaves out of an object (and writes as `null` in an array). */
function isOmitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * `JSON.stringify(value)` without recursion, for a value nested too deeply for it (V8's overflows the stack
 * after a few thousand levels; JSON.parse takes any depth, so a sentry's answer can be one). Gives the same
 * text as JSON.stringify for JSON data and values with `toJSON` (Date); it is slower, so it is only the
 * fallback once JSON.stringify has thrown.
 *
 * @param maxChars - a longer text throws: a bound on the work a runaway (e.g. cyclic) value can cause
 * @returns the JSON text, or `undefined` where JSON.stringify gives `undefined`
 * @throws RangeError once the text passes `maxChars`; TypeError on a BigInt
 */
export function stringifyWithoutRecursion(value: unknown, maxChars: number): string | undefined {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): void => {
    length += text.length;
    if (length > maxChars) throw new RangeError(`JSON text longer than ${maxChars} characters`);
    parts.push(text);
  };
  const stack: OpenContainer[] = [];
  /** Writes a value that is not omitted (arrays and objects are opened, and written by the loop below). */
  const open = (item: unknown): void => {
    switch (typeof item) {
      case 'string':
        return emit(JSON.stringify(item));
      case 'number':
        return emit(Number.isFinite(item) ? String(item) : 'null');
      case 'boolean':
        return emit(item ? 'true' : 'false');
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
    }
    if (item === null || typeof item !== 'object') return emit('null');
    const isArray = Array.isArray(item);
    emit(isArray ? '[' : '{');
    stack.push({ source: item as Record<string, unknown>, keys: isArray ? undefined : Object.keys(item), index: 0, written: 0 });
  };
  const top = jsonValueOf(value, '');
  if (isOmitted(top)) return undefined;
  open(top);
  while (stack.length > 0) {
    const container = stack[stack.length - 1]!;
    const { source, keys } = container;
    if (keys === undefined) {
      const array = source as unknown as readonly unknown[];
      if (container.index >= array.length) {
        emit(']');
        stack.pop();
        continue;
      }
      const i = container.index++;
      if (container.written++ > 0) emit(',');
      const item = jsonValueOf(array[i], String(i));
      if (isOmitted(item)) emit('null');
      else open(item);
    } else {
      if (container.index >= keys.length) {
        emit('}');
        stack.pop();
        continue;
      }
      const key = keys[container.index++]!;
      const item = jsonValueOf(source[key], key);
      if (isOmitted(item)) continue;
      emit(`${container.written++ > 0 ? ',' : ''}${JSON.stringify(key)}:`);
      open(item);
    }
  }
  return parts.join('');
}
