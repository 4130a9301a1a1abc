import { randomBytes } from 'node:crypto';
import { PROOF_PURPOSE, proofMatches, secretBytes } from '../rpc/challenge.js';

/** What checking a sentry's credentials found. */
export type KeyCheck = 'ok' | 'unknown-guid' | 'wrong-key';

/** What {@link KeyRegistry.replaceAll} changed: guids in the registry's (then the new keys') order. */
export interface KeyChanges {
  /** Guids that had no key and now have one. */
  readonly added: readonly string[];
  /** Guids whose key is gone. */
  readonly removed: readonly string[];
  /** Guids whose key is now another one (rotated). */
  readonly rotated: readonly string[];
}

/**
 * The sentries allowed to connect (guid → shared key). A sentry proves its key by an HMAC over the connection's
 * nonce and its guid (see `src/rpc/challenge.ts`); the key itself never travels. Verifying an HMAC needs the key
 * itself, so the registry holds the keys (as bytes: a key is never decoded, so two keys never compare equal for
 * decoding to the same text). A digest kept instead would be no safer: whoever holds what the proof is computed
 * from can answer any challenge. The proofs are 32-byte MACs compared with `timingSafeEqual`; an unknown guid is
 * checked against a random dummy key so it costs the same as a known one.
 */
export class KeyRegistry {
  readonly #keys = new Map<string, Buffer>();
  readonly #dummy = randomBytes(32);

  constructor(keys: Iterable<readonly [string, string | Uint8Array]> | Readonly<Record<string, string | Uint8Array>> = []) {
    const entries = Symbol.iterator in keys ? keys : Object.entries(keys);
    for (const [guid, key] of entries) this.set(guid, key);
  }

  /** Adds or replaces the key of `guid` (a string stands for its UTF-8 bytes). */
  set(guid: string, key: string | Uint8Array): void {
    this.#keys.set(guid, secretBytes(key));
  }

  /**
   * Replaces every key by `keys` at once (a reloaded keys file) and says which guids were added, removed or
   * given another key, so that the connector can close the links that no longer hold a valid key.
   */
  replaceAll(keys: Readonly<Record<string, string | Uint8Array>>): KeyChanges {
    const next = new Map(Object.entries(keys).map(([guid, key]) => [guid, secretBytes(key)] as const));
    const removed = [...this.#keys.keys()].filter((guid) => !next.has(guid));
    const added: string[] = [];
    const rotated: string[] = [];
    for (const [guid, key] of next) {
      const old = this.#keys.get(guid);
      if (!old) added.push(guid);
      else if (!old.equals(key)) rotated.push(guid);
    }
    this.#keys.clear();
    for (const [guid, key] of next) this.#keys.set(guid, key);
    return { added, removed, rotated };
  }

  /** Whether `guid` has a key. */
  has(guid: string): boolean {
    return this.#keys.has(guid);
  }

  /** Every guid that has a key, in the order the keys were given. */
  guids(): string[] {
    return [...this.#keys.keys()];
  }

  /** Revokes `guid` (links already open stay open; the connector decides). */
  delete(guid: string): boolean {
    return this.#keys.delete(guid);
  }

  /** Checks a hello's `proof` of the key of `guid` over this connection's `nonce`, in time independent of the key. */
  verify(guid: string, nonce: string, proof: string): KeyCheck {
    const stored = this.#keys.get(guid);
    const equal = proofMatches(stored ?? this.#dummy, PROOF_PURPOSE.hello, nonce, guid, proof);
    if (!stored) return 'unknown-guid';
    return equal ? 'ok' : 'wrong-key';
  }
}
