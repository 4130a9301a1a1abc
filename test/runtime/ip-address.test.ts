import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { IpAddress, typeOfValue } from '../../src/index.js';

describe('ipaddr values', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:DB8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['::FFFF:10.0.0.7', '::ffff:10.0.0.7'],
    ['0:0:0:0:0:ffff:a00:7', '::ffff:10.0.0.7'],
    ['fe80:0000::0001', 'fe80::1'],
    // IPv4-compatible, not IPv4-mapped (ipaddr.js's parse reads it as ::ffff:1.2.3.4, a different address).
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::1.2.3.4', '64:ff9b::102:304'],
  ])('prints %s as %s (RFC 5952, v4-mapped as ::ffff:a.b.c.d)', (input, canonical) => {
    expect(IpAddress.parse(input).toString()).toBe(canonical);
    expect(JSON.stringify({ ip: IpAddress.parse(input) })).toBe(`{"ip":"${canonical}"}`);
  });

  it.each(['', '1.2.3', '01.2.3.4', '0x7f.0.0.1', '1.2.3.256', '[::1]', '*', 'fe80::1%eth0', ' 1.2.3.4'])('refuses %j', (text) => {
    expect(IpAddress.tryParse(text)).toBeUndefined();
    expect(() => IpAddress.parse(text)).toThrow(TypeError);
  });

  it('is a type of its own, not a string', () => {
    expect(typeOfValue(IpAddress.parse('::1'))).toBe('ipaddr');
    expect(typeOfValue('::1')).toBe('string');
    expect(IpAddress.parse('::1').equals(IpAddress.parse('0::1'))).toBe(true);
    expect(IpAddress.parse('10.0.0.1').equals(IpAddress.parse('::ffff:10.0.0.1'))).toBe(false);
  });

  it('round-trips every address through its canonical text and bytes (property)', () => {
    const address = fc.oneof(fc.ipV4(), fc.ipV6());
    fc.assert(
      fc.property(address, (text) => {
        const ip = IpAddress.parse(text);
        const again = IpAddress.parse(ip.toString());
        return again.equals(ip) && again.toString() === ip.toString() && IpAddress.fromBytes(ip.bytes).equals(ip);
      }),
      { numRuns: 1000 },
    );
  });

  it('prints IPv6 as ipaddr.js formats the same groups, whatever the spelling (property)', () => {
    // Groups biased towards zero runs and ::ffff: prefixes, written in every legal spelling: leading zeros,
    // upper case, "::" over any zero run (not only the longest), a dotted IPv4 tail.
    const group = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    const spelled = fc
      .record({
        groups: fc.array(group, { minLength: 8, maxLength: 8 }),
        mapped: fc.boolean(),
        pad: fc.boolean(),
        upper: fc.boolean(),
        dotted: fc.boolean(),
        gap: fc.nat(),
      })
      .map(({ groups, mapped, pad, upper, dotted, gap }) => {
        if (mapped) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
        let words = groups.map((g) => (pad ? g.toString(16).padStart(4, '0') : g.toString(16)));
        if (dotted) words = [...words.slice(0, 6), `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`];
        const zeroRuns = words.flatMap((w, i) => (/^0+$/.test(w) ? [i] : []));
        let text = words.join(':');
        if (zeroRuns.length > 0) {
          const start = zeroRuns[gap % zeroRuns.length]!;
          let end = start;
          while (end + 1 < words.length && /^0+$/.test(words[end + 1]!)) end++;
          text = `${words.slice(0, start).join(':')}::${words.slice(end + 1).join(':')}`;
        }
        return { text: upper ? text.toUpperCase() : text, groups };
      });
    fc.assert(
      fc.property(spelled, ({ text, groups }) => {
        // The reference is built from the groups, not parsed: ipaddr.js parses "::1.2.3.4" as ::ffff:1.2.3.4.
        const bytes = groups.flatMap((g) => [g >> 8, g & 255]);
        const reference = new ipaddr.IPv6(groups);
        const expected = reference.isIPv4MappedAddress() ? `::ffff:${reference.toIPv4Address().toString()}` : reference.toRFC5952String();
        const ip = IpAddress.parse(text);
        expect(ip.toString()).toBe(expected);
        expect(ip.bytes).toEqual(bytes);
      }),
      { numRuns: 5000 },
    );
  });
});
