import { secretDigest, secretMatches } from './secret.js';

/** What checking a sentry's credentials found. */
export type KeyCheck = 'ok' | 'unknown-guid' | 'wrong-key';

/**
 * The sentries allowed to connect (guid → shared key). Keys are kept only as SHA-256 digests and compared with
 * `timingSafeEqual` over digests, so neither a key's content nor its length leaks through timing; an unknown
 * guid is compared against a dummy digest so it costs the same as a known one.
 */
export class KeyRegistry {
  readonly #digests = new Map<string, Buffer>();
  readonly #dummy = secretDigest('\u0000unknown guid');

  constructor(keys: Iterable<readonly [string, string]> | Readonly<Record<string, string>> = []) {
    const entries = Symbol.iterator in keys ? keys : Object.entries(keys);
    for (const [guid, key] of entries) this.set(guid, key);
  }

  /** Adds or replaces the key of `guid`. */
  set(guid: string, key: string): void {
    this.#digests.set(guid, secretDigest(key));
  }

  /** Revokes `guid` (links already open stay open; the connector decides). */
  delete(guid: string): boolean {
    return this.#digests.delete(guid);
  }

  /** Checks a presented guid and key in time independent of the key. */
  check(guid: string, key: string): KeyCheck {
    const stored = this.#digests.get(guid);
    const equal = secretMatches(stored ?? this.#dummy, key);
    if (!stored) return 'unknown-guid';
    return equal ? 'ok' : 'wrong-key';
  }
}
