import type { z } from 'zod';

/** A zod issue's path as people write it: `sentries[2].connections[0].local_port`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/** `PATH: MESSAGE (got INPUT)` for one issue (the input when zod was asked to report it). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issuePath(issue.path);
  const got = 'input' in issue && issue.input !== undefined ? ` (got ${previewValue(issue.input)})` : '';
  return `${path ? `${path}: ` : ''}${issue.message}${got}`;
}

/** Longest preview {@link previewValue} gives, in characters (a longer one ends with `...`). */
const PREVIEW_CHARS = 60;

/** How deep {@link previewValue} looks into nested arrays and objects; deeper ones read `…`. */
const PREVIEW_DEPTH = 8;

/**
 * A short JSON-like text of any value, for an error message: at most 60 characters (`...` marks a cut). Safe
 * on hostile input: it looks only as deep and as far as those 60 characters need, so a value nested 100,000
 * levels deep, a string of megabytes or an array of millions costs no more than a small one, and it never
 * throws (`JSON.stringify` would overflow the stack on the first and copy all of the others).
 *
 * @example
 * ```ts
 * previewValue({ port: 70000 }); // '{"port":70000}'
 * ```
 */
export function previewValue(value: unknown): string {
  const out = { text: '' };
  try {
    write(value, 0, out);
  } catch {
    // a throwing getter or toJSON: show what was written before it
  }
  const text = out.text;
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS - 3)}...` : text;
}

/** Appends `value` to `out.text`, stopping once the text is longer than a preview can show. */
function write(value: unknown, depth: number, out: { text: string }): void {
  if (out.text.length > PREVIEW_CHARS) return;
  if (typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      out.text += JSON.stringify(value.length > PREVIEW_CHARS ? value.slice(0, PREVIEW_CHARS + 1) : value);
      return;
    case 'number':
      out.text += Number.isFinite(value) ? String(value) : 'null';
      return;
    case 'boolean':
      out.text += String(value);
      return;
    case 'bigint':
      out.text += `${value}n`;
      return;
    case 'undefined':
      out.text += 'undefined';
      return;
    case 'symbol':
    case 'function':
      out.text += String(typeof value);
      return;
  }
  if (value === null) {
    out.text += 'null';
    return;
  }
  const isArray = Array.isArray(value);
  if (depth >= PREVIEW_DEPTH) {
    out.text += isArray ? '[…]' : '{…}';
    return;
  }
  out.text += isArray ? '[' : '{';
  let first = true;
  if (isArray) {
    for (const item of value as readonly unknown[]) {
      if (out.text.length > PREVIEW_CHARS) return;
      if (!first) out.text += ',';
      first = false;
      write(item, depth + 1, out);
    }
  } else {
    for (const key in value as object) {
      if (out.text.length > PREVIEW_CHARS) return;
      if (!Object.hasOwn(value as object, key)) continue;
      if (!first) out.text += ',';
      first = false;
      out.text += `${JSON.stringify(key.length > PREVIEW_CHARS ? key.slice(0, PREVIEW_CHARS + 1) : key)}:`;
      write((value as Record<string, unknown>)[key], depth + 1, out);
    }
  }
  out.text += isArray ? ']' : '}';
}
