/**
 * Address text, read and written by hand: strict validation (exactly what `node:net` `isIP` accepts, less
 * IPv6 zone ids) and the RFC 5952 form. Every address of every `netstat` answer comes through here, and at a
 * million records a second the general tools were most of the cost: ipaddr.js's parse and re-format took half
 * of sentry-netstat's time, and `isIP`'s IPv6 regular expression alone 13%. Property tests hold these
 * functions to `isIP` and ipaddr.js.
 *
 * @module
 */

const COLON = 0x3a;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/** True for dotted-decimal IPv4 text without leading zeros (what `isIP` calls 4), e.g. `10.0.0.1`. */
export function isIpv4Text(text: string): boolean {
  return readIpv4(text, 0) !== -1;
}

/**
 * Reads dotted-decimal IPv4 from `start` to the end of `text`; returns the address as a 32-bit number, or -1
 * when it is not one (a segment over 255, a leading zero, anything but digits and three dots).
 */
function readIpv4(text: string, start: number): number {
  let address = 0;
  let segments = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (digits === 0 || ++segments > 3) return -1;
      address = address * 256 + value;
      value = 0;
      digits = 0;
    } else if (c >= ZERO && c <= NINE) {
      if (digits === 1 && value === 0) return -1; // a leading zero
      value = value * 10 + (c - ZERO);
      if (value > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return segments === 3 && digits > 0 ? address * 256 + value : -1;
}

/** The eight groups of the address being read (one buffer, reused: this runs for every address). */
const groups = new Uint16Array(8);

/**
 * The RFC 5952 form of IPv6 text (lower case, no leading zeros, the longest run of two or more zero groups as
 * `::`), with IPv4-mapped addresses as `::ffff:a.b.c.d`; `undefined` when the text is not IPv6.
 *
 * @example
 * ```ts
 * canonicalIpv6('2001:DB8:0:0:0:0:2:1'); // '2001:db8::2:1'
 * canonicalIpv6('::1.2.3.4');            // '::102:304' (IPv4-compatible, not mapped)
 * ```
 */
export function canonicalIpv6(text: string): string | undefined {
  return readIpv6(text) ? formatGroups(text) : undefined;
}

/** The RFC 5952 form of the IPv6 address of 16 network-order bytes (as {@link canonicalIpv6} writes it). */
export function ipv6FromBytes(bytes: ArrayLike<number>): string {
  for (let i = 0; i < 8; i++) groups[i] = ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0);
  return formatGroups(undefined);
}

/** `groups` in RFC 5952 form; `text`, when given, is what they were read from, returned as is if canonical. */
function formatGroups(text: string | undefined): string {
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  let gapStart = -1;
  let gapLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > gapLength) [gapStart, gapLength] = [i, end - i];
    i = end;
  }
  // Agents send canonical text already (ours does): keep it rather than build an equal string.
  if (text !== undefined && isCanonical(text, gapStart, gapLength)) return text;
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
      if (text.charCodeAt(at) !== COLON || text.charCodeAt(at + 1) !== COLON) return false;
      at += 2;
      i += gapLength - 1;
      continue;
    }
    if (i > 0 && i !== gapStart + gapLength && text.charCodeAt(at++) !== COLON) return false;
    const group = groups[i]!;
    for (let shift = group >= 0x1000 ? 12 : group >= 0x100 ? 8 : group >= 0x10 ? 4 : 0; shift >= 0; shift -= 4) {
      const digit = (group >> shift) & 0xf;
      if (text.charCodeAt(at++) !== (digit < 10 ? ZERO + digit : 0x57 + digit)) return false;
    }
  }
  return at === text.length;
}

/**
 * Reads IPv6 text into `groups`: groups of 1–4 hex digits separated by `:`, at most one `::` standing for at
 * least one zero group, optionally ending in dotted IPv4 (two groups). Returns false, with `groups` in an
 * unspecified state, for anything else (including a zone id).
 */
function readIpv6(text: string): boolean {
  const length = text.length;
  let count = 0;
  let gapAt = -1;
  let i = 0;
  if (text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gapAt = 0;
    i = 2;
  }
  while (i < length) {
    const start = i;
    let value = 0;
    for (let digit = hexDigit(text.charCodeAt(i)); digit !== -1 && i - start < 5; digit = hexDigit(text.charCodeAt(++i))) {
      value = value * 16 + digit;
    }
    if (text.charCodeAt(i) === DOT) {
      // The group just read begins a dotted IPv4 tail, the last two groups.
      const ipv4 = count <= 6 ? readIpv4(text, start) : -1;
      if (ipv4 === -1) return false;
      groups[count++] = ipv4 >>> 16;
      groups[count++] = ipv4 & 0xffff;
      break;
    }
    if (i === start || i - start > 4 || count === 8) return false;
    groups[count++] = value;
    if (i === length) break;
    if (text.charCodeAt(i++) !== COLON || i === length) return false; // not ":", or a trailing single ":"
    if (text.charCodeAt(i) === COLON) {
      if (gapAt !== -1) return false;
      gapAt = count;
      i++;
    }
  }
  if (gapAt === -1) return count === 8;
  if (count > 7) return false;
  const missing = 8 - count;
  groups.copyWithin(gapAt + missing, gapAt, count);
  groups.fill(0, gapAt, gapAt + missing);
  return true;
}

function hexDigit(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x57 : -1;
}
