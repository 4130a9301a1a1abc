// previewValue, the `(got VALUE)` of every error message: short, and safe on hostile values.
import { describe, expect, it } from 'vitest';
import { previewValue } from '../../src/runtime/zod-issue.js';

describe('previewValue', () => {
  it('reads like JSON for small values', () => {
    expect(previewValue(70000)).toBe('70000');
    expect(previewValue('not-an-ip')).toBe('"not-an-ip"');
    expect(previewValue({ unexpected: 'x', n: [1, null, true] })).toBe('{"unexpected":"x","n":[1,null,true]}');
    expect(previewValue(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(previewValue(Number.NaN)).toBe('null');
  });

  it('cuts at 60 characters', () => {
    const text = previewValue('x'.repeat(1000));
    expect(text).toBe(`"${'x'.repeat(56)}...`);
    expect(previewValue(Array.from({ length: 1000 }, (_, i) => i))).toHaveLength(60);
  });

  it('is safe on a value nested 100,000 levels deep (JSON.stringify overflows the stack)', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)) as unknown;
    expect(previewValue(deep)).toBe('[[[[[[[[[…]]]]]]]]]');
    const deepObject = JSON.parse(`${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`) as unknown;
    expect(previewValue(deepObject)).toBe(`${'{"a":'.repeat(8)}{…}${'}'.repeat(8)}`);
  });

  it('looks at no more of a huge array or object than it shows', () => {
    const huge = new Array<unknown>(10_000_000).fill({});
    expect(previewValue(huge)).toMatch(/^\[\{\},\{\},.*\.\.\.$/);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(previewValue(cyclic)).toMatch(/^\{"self":\{"self":/);
  });

  it('never throws', () => {
    const hostile = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    expect(previewValue(hostile)).toBe('{"boom":');
    expect(previewValue(10n)).toBe('10n');
  });
});
