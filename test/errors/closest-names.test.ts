import { describe, expect, it } from 'vitest';
import { closestNames, didYouMean, editDistance } from '../../src/errors/closest-names.js';

describe('closest names (did you mean)', () => {
  it('counts a swap of two neighbouring letters as one edit', () => {
    expect(editDistance('tiemout', 'timeout')).toBe(1);
    expect(editDistance('netsat', 'netstat')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('keeps only the closest, ties sorted, and nothing that is not a likely typo', () => {
    expect(closestNames('sentry-netsat', ['sentry', 'sentry-netstat', 'sonar-sentry-netstat'])).toEqual(['sentry-netstat']);
    expect(closestNames('sot', ['sort', 'set', 'stats'])).toEqual(['set', 'sort']);
    expect(closestNames('x', ['sort', 'eval'])).toEqual([]);
    expect(closestNames('frobnicate', ['fields', 'search'])).toEqual([]);
  });

  it('words the suggestion for a message', () => {
    expect(didYouMean('fileds', ['fields', 'search'])).toBe(" Did you mean 'fields'?");
    expect(didYouMean('sot', ['sort', 'set', 'sets'])).toBe(" Did you mean 'set' or 'sort'?");
    expect(didYouMean('cat', ['mat', 'bat', 'hat'])).toBe(" Did you mean 'bat', 'hat' or 'mat'?");
    expect(didYouMean('zzz', ['fields'])).toBe('');
  });
});
