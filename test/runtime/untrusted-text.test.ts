// boundText and escapeControlCharacters: what a record keeps of a hostile text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundText, escapeControlCharacters, terminalSafeJson } from '../../src/runtime/untrusted-text.js';

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('escapeControlCharacters', () => {
  it('writes each control character out, and leaves the rest (backslashes too) as it is', () => {
    expect(escapeControlCharacters('\x1b[2J\x1b]52;c;SGk=\x07\r\n\t\0\x7f\x9b\u202e')).toBe(
      '\\x1b[2J\\x1b]52;c;SGk=\\x07\\r\\n\\t\\x00\\x7f\\x9b\\u202e',
    );
    expect(escapeControlCharacters('C:\\Program Files\\é 日本')).toBe('C:\\Program Files\\é 日本');
  });
});

describe('boundText', () => {
  it('keeps a short text, escaped', () => {
    expect(boundText('permission denied\x1b[0m', 1024)).toBe('permission denied\\x1b[0m');
  });

  it('cuts a long text to the bound, ending with the marker that says how long it was', () => {
    const cut = boundText('x'.repeat(1024 * 1024), 1024);
    expect(cut).toHaveLength(1024);
    expect(cut).toMatch(/^x+… \[truncated from 1048576 characters\]$/);
  });

  it('never leaves half an escape or half a surrogate pair at the cut', () => {
    const marker = '… [truncated from 2000 characters]';
    const head = 40 - marker.length;
    expect(boundText(`${'x'.repeat(head - 2)}\x1b${'y'.repeat(2000 - head + 1)}`, 40)).toBe(`${'x'.repeat(head - 2)}${marker}`);
    expect(boundText(`${'x'.repeat(head - 1)}😀${'y'.repeat(2000 - head - 1)}`, 40)).toBe(`${'x'.repeat(head - 1)}${marker}`);
  });

  it('is within the bound, free of control characters, and unchanged when applied again', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 3000 }), fc.integer({ min: 64, max: 2048 }), (text, max) => {
        const once = boundText(text, max);
        expect(once.length).toBeLessThanOrEqual(max);
        expect(once).not.toMatch(CONTROL);
        expect(boundText(once, max)).toBe(once);
      }),
      { numRuns: 50 },
    );
  });
});

describe('terminalSafeJson', () => {
  it('is the same JSON value, with no raw control character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const json = terminalSafeJson({ text });
        expect(json).not.toMatch(CONTROL);
        expect(JSON.parse(json)).toEqual({ text });
      }),
    );
  });
});
