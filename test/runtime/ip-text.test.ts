import fc from 'fast-check';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { canonicalIpv6, isIpv4Text } from '../../src/runtime/ip-text.js';

// The hand-written reader must accept exactly what node:net's isIP accepts (less IPv6 zone ids, which we
// refuse), on valid addresses, near misses and noise alike.
const nearMiss = (valid: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(valid, fc.nat(), fc.constantFrom('', ':', '::', '.', '0', 'f', 'G', '%', '1.2', '00', '255', '256'))
    .map(([text, at, insert]) => {
      const i = at % (text.length + 1);
      return text.slice(0, i) + insert + text.slice(i + (at % 3 === 0 ? 1 : 0));
    });
const noise = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 });
const text = fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV4Extended(), nearMiss(fc.ipV6()), nearMiss(fc.ipV4()), noise);

describe('address text', () => {
  it('reads as IPv4 exactly what isIP calls 4 (property)', () => {
    fc.assert(
      fc.property(text, (t) => isIpv4Text(t) === (isIP(t) === 4)),
      { numRuns: 20_000 },
    );
  });

  it('reads as IPv6 exactly what isIP calls 6, zone ids aside (property)', () => {
    fc.assert(
      fc.property(text, (t) => (canonicalIpv6(t) !== undefined) === (isIP(t) === 6 && !t.includes('%'))),
      { numRuns: 20_000 },
    );
  });

  it.each([
    '',
    ':',
    ':::',
    '1:',
    ':1',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:1.2.3.4',
    '::12345',
    '::1.2.3',
    '::01.2.3.4',
    'fe80::1%eth0',
    '1.2.3.4',
  ])('refuses %j as IPv6', (t) => {
    expect(canonicalIpv6(t)).toBeUndefined();
  });
});
