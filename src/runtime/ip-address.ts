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
  readonly #text: string;
  #bytes: readonly number[] | undefined;

  private constructor(family: 4 | 6, text: string) {
    this.family = family;
    this.#text = text;
  }

  /** Network-order bytes (4 or 16), computed on first use: most addresses are only ever printed or compared. */
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
    // A zone id (fe80::1%eth0) would be dropped by the byte form: refuse it rather than lose it.
    const family = text.includes('%') ? 0 : isIP(text);
    // isIP accepts IPv4 only as plain dotted decimal without leading zeros, which is already canonical.
    if (family === 4) return new IpAddress(4, text);
    if (family === 6) return new IpAddress(6, canonicalIpv6(text));
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

/** The eight groups of the address being canonicalised (one buffer, reused: this runs for every address). */
const groups = new Uint16Array(8);

/**
 * The RFC 5952 form of an IPv6 address that `isIP` accepted, with IPv4-mapped addresses as `::ffff:a.b.c.d`.
 * Hand-written rather than through ipaddr.js because every address of every answer comes through here: at a
 * million records a second ipaddr.js's parse and re-format was half the time of sentry-netstat. A property
 * test checks it against ipaddr.js.
 */
function canonicalIpv6(text: string): string {
  readGroups(text);
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  // The longest run of two or more zero groups (the first of equal runs) becomes "::".
  let gapStart = -1;
  let gapLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > gapLength) [gapStart, gapLength] = [i, end - i];
    i = end;
  }
  // Agents send canonical text already (ours does): keep it rather than build an equal string.
  if (isCanonical(text, gapStart, gapLength)) return text;
  let canonical = '';
  for (let i = 0; i < 8; i++) {
    if (i === gapStart) {
      canonical += '::';
      i += gapLength - 1;
      continue;
    }
    if (i > 0 && i !== gapStart + gapLength) canonical += ':';
    canonical += groups[i]!.toString(16);
  }
  return canonical;
}

/** True when `text` is, character for character, what {@link canonicalIpv6} would build from `groups`. */
function isCanonical(text: string, gapStart: number, gapLength: number): boolean {
  let at = 0;
  for (let i = 0; i < 8; i++) {
    if (i === gapStart) {
      if (text.charCodeAt(at) !== 0x3a || text.charCodeAt(at + 1) !== 0x3a) return false;
      at += 2;
      i += gapLength - 1;
      continue;
    }
    if (i > 0 && i !== gapStart + gapLength && text.charCodeAt(at++) !== 0x3a) return false;
    const group = groups[i]!;
    // Lower-case hex digits, no leading zeros.
    for (let shift = group >= 0x1000 ? 12 : group >= 0x100 ? 8 : group >= 0x10 ? 4 : 0; shift >= 0; shift -= 4) {
      const digit = (group >> shift) & 0xf;
      if (text.charCodeAt(at++) !== (digit < 10 ? 0x30 + digit : 0x57 + digit)) return false;
    }
  }
  return at === text.length;
}

/** Reads the eight 16-bit groups of a valid IPv6 text into `groups`, expanding `::` and a dotted IPv4 tail. */
function readGroups(text: string): void {
  let count = 0;
  let gapAt = -1;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) {
      if (digits > 0) groups[count++] = value;
      value = 0;
      digits = 0;
      if (text.charCodeAt(i + 1) === 0x3a) {
        gapAt = count;
        i++;
      }
    } else if (c === 0x2e /* . */) {
      // The group being read is the first byte of a dotted IPv4 tail: read the tail as two groups instead.
      const [a, b, c2, d] = text.slice(text.lastIndexOf(':') + 1).split('.').map(Number) as [number, number, number, number];
      groups[count++] = (a << 8) | b;
      groups[count++] = (c2 << 8) | d;
      digits = 0;
      break;
    } else {
      value = value * 16 + (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57);
      digits++;
    }
  }
  if (digits > 0) groups[count++] = value;
  if (gapAt !== -1) {
    const missing = 8 - count;
    groups.copyWithin(gapAt + missing, gapAt, count);
    groups.fill(0, gapAt, gapAt + missing);
  }
}
