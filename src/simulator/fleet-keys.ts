/**
 * Credentials of simulated sentries: generated for tests and benchmarks, or read from the connector's keys file.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { KeyFileError, keysFileSchema } from '../connector/key-file.js';
import { describeIssue } from '../runtime/zod-issue.js';

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
 * (`loadKeysFile` keeps digests only, which a simulator cannot log in with). Throws {@link KeyFileError}.
 */
export async function readCredentialsFile(path: string): Promise<SentryCredentials[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new KeyFileError(`${path}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new KeyFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const checked = keysFileSchema.safeParse(data, { reportInput: false });
  if (!checked.success) {
    const [first] = checked.error.issues;
    throw new KeyFileError(`${path}: ${first ? describeIssue(first) : 'invalid keys file'}`);
  }
  return Object.entries(checked.data).map(([guid, key]) => ({ guid, key }));
}
