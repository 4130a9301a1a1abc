import { z } from 'zod';
import { readJsonFile, readTextFile } from '../runtime/read-file.js';
import { describeIssue } from '../runtime/zod-issue.js';
import { KeyRegistry } from './key-registry.js';

/** A key file could not be used; the message names the file and what is wrong. */
export class KeyFileError extends Error {
  /** Always `KeyFileError`. */
  override readonly name = 'KeyFileError';
}

/** The connector's keys file: a JSON object of guid → key (at least 16 characters each). */
export const keysFileSchema = z.record(
  z.string().min(1, { error: 'expected a non-empty guid' }),
  z.string().min(16, { error: 'expected a key of at least 16 characters' }),
);

const keyFileError = (message: string): KeyFileError => new KeyFileError(message);

/**
 * Reads and checks the connector's keys file (`{ "guid": "key", ... }`): guid → key, in file order.
 * Throws {@link KeyFileError} naming the file and what is wrong.
 */
export async function readKeysFile(path: string): Promise<Record<string, string>> {
  const checked = keysFileSchema.safeParse(await readJsonFile(path, 'key file', keyFileError), { reportInput: false });
  if (!checked.success) {
    const [first] = checked.error.issues;
    throw new KeyFileError(`${path}: ${first ? describeIssue(first) : 'invalid keys file'}`);
  }
  return checked.data;
}

/** Reads the connector's keys file into a {@link KeyRegistry} (digests only). */
export async function loadKeysFile(path: string): Promise<KeyRegistry> {
  return new KeyRegistry(await readKeysFile(path));
}

/** Reads an agent's key file: the key alone, surrounding whitespace ignored. */
export async function loadAgentKey(path: string): Promise<string> {
  const key = (await readTextFile(path, 'key file', keyFileError)).trim();
  if (key.length < 16) throw new KeyFileError(`${path}: expected a key of at least 16 characters`);
  return key;
}
