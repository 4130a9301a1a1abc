import { describe, expect, it } from 'vitest';
import { KeyRegistry } from '../../src/connector/key-registry.js';

describe('KeyRegistry', () => {
  const registry = new KeyRegistry({ 'web-01': 's3cret' });

  it('accepts the right key', () => {
    expect(registry.check('web-01', 's3cret')).toBe('ok');
  });

  it.each(['s3cre', 's3cret!', '', 'S3CRET', 's3cret'.repeat(1000)])('refuses a wrong key of any length: %j', (key) => {
    expect(registry.check('web-01', key)).toBe('wrong-key');
  });

  it('tells an unknown guid apart (for the log), even with a key some other sentry uses', () => {
    expect(registry.check('web-02', 's3cret')).toBe('unknown-guid');
  });

  it('takes entries as pairs, and can set and revoke keys', () => {
    const pairs = new KeyRegistry([['a', 'ka']]);
    pairs.set('b', 'kb');
    expect([pairs.check('a', 'ka'), pairs.check('b', 'kb')]).toEqual(['ok', 'ok']);
    pairs.delete('a');
    expect(pairs.check('a', 'ka')).toBe('unknown-guid');
  });
});
