/**
 * Text that others wrote (a sentry's error message, host name, process names) made safe to show: control
 * characters escaped so a terminal shows them instead of obeying them, and a bound on length.
 *
 * @module
 */

/**
 * The characters a terminal may act on rather than show: C0 controls (ESC, BEL, CR, LF, NUL, …), DEL, C1
 * controls (U+0080–U+009F: U+009B is a one-character CSI on some terminals), and the Unicode bidirectional
 * embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which reorder what is shown.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_ONE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with each control character written out: `\n`, `\r`, `\t`, else `\xHH` (ESC is `\x1b`) or `\uHHHH`
 * (the bidirectional controls). Backslashes are left alone, so a Windows path reads as it is, and text that
 * holds no control character comes back unchanged.
 *
 * @example
 * ```ts
 * escapeControlCharacters('\x1b]52;c;aGk=\x07'); // '\\x1b]52;c;aGk=\\x07'
 * ```
 */
export function escapeControlCharacters(text: string): string {
  return CONTROL_ONE.test(text) ? text.replace(CONTROL, escapeOne) : text;
}

/**
 * Untrusted text bounded for a record: control characters escaped ({@link escapeControlCharacters}), then cut to
 * at most `maxChars` characters, the cut ending in `… [truncated from N characters]` (N is the length received).
 * Applying it twice changes nothing, so each boundary a text crosses may apply it.
 */
export function boundText(text: string, maxChars: number): string {
  // Escaping only lengthens: what lies beyond maxChars of the input is cut anyway, so it is not escaped.
  const escaped = escapeControlCharacters(text.length > maxChars ? text.slice(0, maxChars) : text);
  if (text.length <= maxChars && escaped.length <= maxChars) return escaped;
  const marker = `… [truncated from ${text.length} characters]`;
  let head = escaped.slice(0, Math.max(0, maxChars - marker.length));
  // Do not leave half an escape (`\x1`) or half a surrogate pair at the cut.
  head = head.replace(/\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/, '').replace(/[\ud800-\udbff]$/, '');
  return `${head}${marker}`;
}

const JSON_UNESCAPED_CONTROL = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const JSON_UNESCAPED_CONTROL_ONE = /[\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * JSON text (of `JSON.stringify`, one value or many lines of them) with the control characters JSON leaves as
 * they are (DEL, C1, the bidirectional controls: `JSON.stringify` escapes only U+0000–U+001F) written as
 * `\uHHHH`. Outside strings JSON text is ASCII, so these can only be inside strings, where `\uHHHH` means the
 * same character: the same JSON values, but safe to print on a terminal.
 */
export function escapeJsonControls(json: string): string {
  return JSON_UNESCAPED_CONTROL_ONE.test(json)
    ? json.replace(JSON_UNESCAPED_CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

/** `JSON.stringify(value)`, safe to print on a terminal ({@link escapeJsonControls}). */
export function terminalSafeJson(value: unknown): string {
  return escapeJsonControls(JSON.stringify(value));
}

/** Half of a UTF-16 surrogate pair without its other half: not text, and not encodable as UTF-8 (guids refuse it). */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
