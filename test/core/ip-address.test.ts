import fc from 'fast-check';
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
    fc.assert(fc.property(address, (text) => {
      const ip = IpAddress.parse(text);
      const again = IpAddress.parse(ip.toString());
      return again.equals(ip) && again.toString() === ip.toString() && IpAddress.fromBytes(ip.bytes).equals(ip);
    }), { numRuns: 1000 });
  });
});
