import { z } from 'zod';
import { readSecretFile, readSecretText } from '../runtime/read-file.js';
import { issuePath } from '../runtime/zod-issue.js';
import { KeyRegistry } from './key-registry.js';

/** A key file could not be used; the message names the file and what is wrong, and never quotes a key. */
export class KeyFileError extends Error {
  /** Always `KeyFileError`. */
  override readonly name = 'KeyFileError';
}

/** The connector's keys file: a JSON object of guid → key (at least 16 characters each). */
export const keysFileSchema = z.record(
  z.string().min(1, { error: 'expected a non-empty guid' }),
  z.string().min(16, { error: 'expected a key of at least 16 characters' }),
);

/** The shortest key or token accepted (16 characters). */
const MIN_SECRET_CHARS = 16;

const keyFileError = (message: string): KeyFileError => new KeyFileError(message);

/**
 * Why `text` is not JSON, without quoting it: V8's messages can hold a slice of the text (`Unexpected token 'k',
 * "{"a": key-abcdef"... is not valid JSON`), which in a keys file is a key. Only V8's wording of the grammar is
 * kept (`Expected ',' or '}' after property value`), with its position as line and column.
 */
function jsonErrorWithoutText(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const at = /^(.*?) in JSON at position (\d+)/.exec(message);
  if (!at) {
    if (/^Unexpected end of JSON input/.test(message)) return 'not valid JSON: it ends too early';
    return 'not valid JSON: an unexpected character (not quoted: the file holds keys)';
  }
  const offset = Number(at[2]);
  const before = text.slice(0, offset).split('\n');
  const where = `line ${before.length}, column ${before[before.length - 1]!.length + 1}`;
  // Keep the grammar's words only when they quote nothing of the file (no `"`, no token).
  const what = /"|^Unexpected token/.test(at[1]!) ? '' : `: ${at[1]!.replace(/^\w/, (c) => c.toLowerCase())}`;
  return `not valid JSON at ${where}${what}`;
}

/**
 * Reads and checks the connector's keys file (`{ "guid": "key", ... }`): guid → key, in file order. The file
 * is a secret file (`readSecretFile`: a regular file, mode 0600 or stricter, not empty). Throws
 * {@link KeyFileError} naming the file and what is wrong; no message quotes any part of a key.
 */
export async function readKeysFile(path: string): Promise<Record<string, string>> {
  const text = (await readSecretFile(path, 'keys file', keyFileError)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeyFileError(`${path}: ${jsonErrorWithoutText(error, text)}`);
  }
  const checked = keysFileSchema.safeParse(json, { reportInput: false });
  if (!checked.success) {
    // Worded here, not with the shared issue wording: nothing of the input may appear, only where and what.
    const [first] = checked.error.issues;
    const where = first ? issuePath(first.path) : '';
    throw new KeyFileError(`${path}: ${where ? `${where}: ` : ''}${first?.message ?? 'invalid keys file'}`);
  }
  if (Object.keys(checked.data).length === 0) throw new KeyFileError(`${path}: the keys file lists no sentries`);
  return checked.data;
}

/** Reads the connector's keys file into a {@link KeyRegistry} (digests only). */
export async function loadKeysFile(path: string): Promise<KeyRegistry> {
  return new KeyRegistry(await readKeysFile(path));
}

/**
 * Reads an agent's key file: the key alone, surrounding whitespace ignored, at least 16 characters. A secret
 * file (`readSecretFile`); throws {@link KeyFileError} naming the file.
 */
export async function loadAgentKey(path: string): Promise<string> {
  return readSecretText(path, 'key file', { secret: 'key', minChars: MIN_SECRET_CHARS }, keyFileError);
}
