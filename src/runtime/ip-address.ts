import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The `ipaddr` value type: an IPv4 or IPv6 address, not a string.
 *
 * It prints as its canonical text form: IPv4 dotted decimal, IPv6 compressed per RFC 5952 (lower case, the
 * longest run of zero groups as `::`), and IPv4-mapped IPv6 as `::ffff:a.b.c.d`. Parsing is strict
 * (`node:net` `isIP`): no zone ids, no octal or hex IPv4 forms, no brackets.
 *
 * @example
 * ```ts
 * IpAddress.parse('0:0:0:0:0:0:0:1').toString(); // '::1'
 * IpAddress.parse('::FFFF:10.0.0.1').toString(); // '::ffff:10.0.0.1'
 * ```
 */
export class IpAddress {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** Network-order bytes (4 or 16). */
  readonly bytes: readonly number[];
  readonly #text: string;

  private constructor(family: 4 | 6, bytes: number[], text: string) {
    this.family = family;
    this.bytes = Object.freeze(bytes);
    this.#text = text;
  }

  /** Parses an address; throws a `TypeError` naming the text when it is not one. */
  static parse(text: string): IpAddress {
    const address = IpAddress.tryParse(text);
    if (!address) throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
    return address;
  }

  /** Parses an address, or returns `undefined`. */
  static tryParse(text: string): IpAddress | undefined {
    // A zone id (fe80::1%eth0) would be dropped by the byte form: refuse it rather than lose it.
    const family = text.includes('%') ? 0 : isIP(text);
    if (family === 4) {
      const v4 = ipaddr.IPv4.parse(text);
      return new IpAddress(4, v4.toByteArray(), v4.toString());
    }
    if (family === 6) {
      const v6 = ipaddr.IPv6.parse(text);
      const canonical = v6.isIPv4MappedAddress()
        ? `::ffff:${v6.toIPv4Address().toString()}`
        : v6.toRFC5952String();
      return new IpAddress(6, v6.toByteArray(), canonical);
    }
    return undefined;
  }

  /** Builds an address from network-order bytes (4 or 16 of them). */
  static fromBytes(bytes: ArrayLike<number>): IpAddress {
    const list = Array.from(bytes);
    if (list.length !== 4 && list.length !== 16) throw new TypeError(`an IP address has 4 or 16 bytes, not ${list.length}`);
    return IpAddress.parse(ipaddr.fromByteArray(list).toString());
  }

  /** True when `other` is the same address (same family and bytes). */
  equals(other: IpAddress): boolean {
    return this.family === other.family && this.#text === other.#text;
  }

  /** Orders IPv4 before IPv6, then by bytes; for sorting. */
  compare(other: IpAddress): number {
    if (this.family !== other.family) return this.family - other.family;
    for (let i = 0; i < this.bytes.length; i++) {
      const d = (this.bytes[i] ?? 0) - (other.bytes[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }

  /** The canonical text form. */
  toString(): string {
    return this.#text;
  }

  /** JSON carries the canonical text form. */
  toJSON(): string {
    return this.#text;
  }
}
