import ipaddr from 'ipaddr.js';
import { canonicalIpv6, ipv6FromBytes, isIpv4Text } from './ip-text.js';

/**
 * The `ipaddr` value type: an IPv4 or IPv6 address, not a string.
 *
 * It prints as its canonical text form: IPv4 dotted decimal, IPv6 compressed per RFC 5952 (lower case, the
 * longest run of zero groups as `::`), and IPv4-mapped IPv6 as `::ffff:a.b.c.d`. Parsing is strict
 * (what `node:net` `isIP` accepts): no zone ids, no octal or hex IPv4 forms, no brackets.
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
  readonly #text: string;
  #bytes: readonly number[] | undefined;

  private constructor(family: 4 | 6, text: string) {
    this.family = family;
    this.#text = text;
  }

  /** Network-order bytes (4 or 16), computed on first use: most addresses are only ever printed or tested for equality. */
  get bytes(): readonly number[] {
    return (this.#bytes ??= Object.freeze(ipaddr.parse(this.#text).toByteArray()));
  }

  /** Parses an address; throws a `TypeError` naming the text when it is not one. */
  static parse(text: string): IpAddress {
    const address = IpAddress.tryParse(text);
    if (!address) throw new TypeError(`not an IP address: ${JSON.stringify(text)}`);
    return address;
  }

  /** Parses an address, or returns `undefined`. */
  static tryParse(text: string): IpAddress | undefined {
    // Accepted IPv4 text (dotted decimal without leading zeros) is canonical already.
    if (isIpv4Text(text)) return new IpAddress(4, text);
    const canonical = canonicalIpv6(text);
    return canonical === undefined ? undefined : new IpAddress(6, canonical);
  }

  /** Builds an address from network-order bytes (4 or 16 of them). */
  static fromBytes(bytes: ArrayLike<number>): IpAddress {
    const list = Array.from(bytes);
    if (list.length !== 4 && list.length !== 16) throw new TypeError(`an IP address has 4 or 16 bytes, not ${list.length}`);
    return list.length === 4 ? IpAddress.parse(list.join('.')) : new IpAddress(6, ipv6FromBytes(list));
  }

  /** True when `other` is the same address (same family and bytes). */
  equals(other: IpAddress): boolean {
    return this.family === other.family && this.#text === other.#text;
  }

  /** Orders IPv4 before IPv6, then by bytes; for sorting. */
  compare(other: IpAddress): number {
    if (this.family !== other.family) return this.family - other.family;
    const mine = this.bytes;
    const theirs = other.bytes;
    for (let i = 0; i < mine.length; i++) {
      const d = (mine[i] ?? 0) - (theirs[i] ?? 0);
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
