import { readFile } from 'node:fs/promises';
import { z } from 'zod';
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

/** Reads the connector's keys file (`{ "guid": "key", ... }`) into a {@link KeyRegistry}. */
export async function loadKeysFile(path: string): Promise<KeyRegistry> {
  const data = parseJson(path, await read(path));
  const checked = keysFileSchema.safeParse(data, { reportInput: false });
  if (!checked.success) {
    const [first] = checked.error.issues;
    throw new KeyFileError(`${path}: ${first ? describeIssue(first) : 'invalid keys file'}`);
  }
  return new KeyRegistry(checked.data);
}

/** Reads an agent's key file: the key alone, surrounding whitespace ignored. */
export async function loadAgentKey(path: string): Promise<string> {
  const key = (await read(path)).trim();
  if (key.length < 16) throw new KeyFileError(`${path}: expected a key of at least 16 characters`);
  return key;
}

async function read(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new KeyFileError(`${path}: cannot read the key file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KeyFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
