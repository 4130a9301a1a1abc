import { describe, expect, it } from 'vitest';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { newNonce, PROOF_PURPOSE, proofOf, secretBytes } from '../../src/rpc/challenge.js';

const nonce = newNonce();
const hello = (guid: string, key: string | Uint8Array, n = nonce): string => proofOf(secretBytes(key), PROOF_PURPOSE.hello, n, guid);

describe('KeyRegistry', () => {
  const registry = new KeyRegistry({ 'web-01': 's3cret' });

  it("accepts a proof of the right key over this connection's nonce", () => {
    expect(registry.verify('web-01', nonce, hello('web-01', 's3cret'))).toBe('ok');
  });

  it.each(['s3cre', 's3cret!', '', 'S3CRET', 's3cret'.repeat(1000)])('refuses a proof of a wrong key of any length: %j', (key) => {
    expect(registry.verify('web-01', nonce, hello('web-01', key))).toBe('wrong-key');
  });

  it('refuses a proof over another nonce, for another guid, or for another purpose', () => {
    expect(registry.verify('web-01', nonce, hello('web-01', 's3cret', newNonce()))).toBe('wrong-key');
    const shared = new KeyRegistry({ a: 's3cret', b: 's3cret' });
    expect(shared.verify('b', nonce, hello('a', 's3cret'))).toBe('wrong-key');
    expect(registry.verify('web-01', nonce, proofOf(secretBytes('s3cret'), PROOF_PURPOSE.query, nonce, 'web-01'))).toBe('wrong-key');
  });

  it('refuses a proof that is not 32 bytes', () => {
    expect(registry.verify('web-01', nonce, hello('web-01', 's3cret').slice(0, 40))).toBe('wrong-key');
  });

  it('tells an unknown guid apart (for the log), even with a key some other sentry uses', () => {
    expect(registry.verify('web-02', nonce, hello('web-02', 's3cret'))).toBe('unknown-guid');
  });

  it('compares keys as bytes: two keys that decode to the same text (U+FFFD) are different keys', () => {
    const ff = Buffer.alloc(16, 0xff);
    const fe = Buffer.alloc(16, 0xfe);
    expect(ff.toString('utf8')).toBe(fe.toString('utf8'));
    const bytes = new KeyRegistry([['g', ff]]);
    expect(bytes.verify('g', nonce, hello('g', ff))).toBe('ok');
    expect(bytes.verify('g', nonce, hello('g', fe))).toBe('wrong-key');
    expect(bytes.verify('g', nonce, hello('g', ff.toString('utf8')))).toBe('wrong-key');
  });

  it('takes entries as pairs, and can set and revoke keys', () => {
    const pairs = new KeyRegistry([['a', 'ka']]);
    pairs.set('b', 'kb');
    expect([pairs.verify('a', nonce, hello('a', 'ka')), pairs.verify('b', nonce, hello('b', 'kb'))]).toEqual(['ok', 'ok']);
    pairs.delete('a');
    expect(pairs.verify('a', nonce, hello('a', 'ka'))).toBe('unknown-guid');
  });
});

describe('KeyRegistry.replaceAll', () => {
  it('says which guids were added, removed and rotated, and verifies against the new keys only', () => {
    const registry = new KeyRegistry({ a: 'key-a', b: 'key-b', c: 'key-c' });
    expect(registry.replaceAll({ b: 'key-b', c: 'key-c2', d: 'key-d' })).toEqual({ added: ['d'], removed: ['a'], rotated: ['c'] });
    expect(registry.guids()).toEqual(['b', 'c', 'd']);
    expect(registry.verify('a', nonce, hello('a', 'key-a'))).toBe('unknown-guid');
    expect(registry.verify('c', nonce, hello('c', 'key-c'))).toBe('wrong-key');
    expect(registry.verify('c', nonce, hello('c', 'key-c2'))).toBe('ok');
    expect(registry.has('d')).toBe(true);
  });
});
