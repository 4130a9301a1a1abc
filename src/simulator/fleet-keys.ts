/**
 * Credentials of simulated sentries: generated for tests and benchmarks, or read from the connector's keys file.
 *
 * @module
 */
import { readKeysFile } from '../connector/key-file.js';

/** One simulated sentry's guid and shared key. */
export interface SentryCredentials {
  /** The sentry's GUID. */
  readonly guid: string;
  /** The sentry's shared key. */
  readonly key: string;
}

/**
 * `count` credentials `sim-0000` … with keys derived from the guid (not secret: for loopback tests only).
 * `Object.fromEntries(list.map(c => [c.guid, c.key]))` makes the matching keys file / `KeyRegistry` input.
 */
export function simulatedCredentials(count: number, prefix = 'sim-'): SentryCredentials[] {
  const width = Math.max(4, String(Math.max(0, count - 1)).length);
  return Array.from({ length: count }, (_, i) => {
    const guid = `${prefix}${String(i).padStart(width, '0')}`;
    return { guid, key: `simulated-key-of-${guid}` };
  });
}

/**
 * Reads the connector's keys file (`{ "guid": "key", ... }`) keeping the keys themselves, in file order
 * (`loadKeysFile` keeps digests only, which a simulator cannot log in with). Throws `KeyFileError` (from `sentry-netstat/connector`).
 */
export async function readCredentialsFile(path: string): Promise<SentryCredentials[]> {
  return Object.entries(await readKeysFile(path)).map(([guid, key]) => ({ guid, key }));
}
