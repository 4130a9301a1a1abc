import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { LONE_SURROGATE } from '../runtime/untrusted-text.js';
import { readSecretFile } from '../runtime/read-file.js';
import { issuePath } from '../runtime/zod-issue.js';
import { KeyRegistry } from './key-registry.js';

/** A key file could not be used; the message names the file and what is wrong, and never quotes a key. */
export class KeyFileError extends Error {
  /** Always `KeyFileError`. */
  override readonly name = 'KeyFileError';
}

/** Shortest secret accepted: a key of a sentry, a cluster or administrator token (16 bytes). */
export const MIN_SECRET_BYTES = 16;

/**
 * The connector's keys file: a JSON object of guid → key (at least 16 characters each). A key stands for its
 * UTF-8 bytes, so it must have some: a lone surrogate (which every encoder turns into U+FFFD, the same bytes as
 * another key's) is refused.
 */
export const keysFileSchema = z.record(
  z
    .string()
    .min(1, { error: 'expected a non-empty guid' })
    .refine((g) => !LONE_SURROGATE.test(g), { error: 'a guid must be well-formed Unicode (it holds a lone surrogate)' }),
  z
    .string()
    .min(16, { error: 'expected a key of at least 16 characters' })
    .refine((key) => !LONE_SURROGATE.test(key), { error: 'a key must be valid Unicode (it holds a lone surrogate escape)' }),
);

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
 * is a secret file (`readSecretFile`: a regular file, mode 0600 or stricter, not empty) of UTF-8 text. Throws
 * {@link KeyFileError} naming the file and what is wrong; no message quotes any part of a key.
 */
export async function readKeysFile(path: string): Promise<Record<string, string>> {
  const bytes = await readSecretFile(path, 'keys file', keyFileError);
  let text: string;
  try {
    // Invalid bytes are refused, not replaced by U+FFFD (which would make different keys equal).
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KeyFileError(`${path}: not valid UTF-8 (a keys file is JSON text; keep binary keys out of it)`);
  }
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

/**
 * Writes `keys` as the keys file `path`, atomically: a new file (mode 0600) beside it, flushed to disk, then
 * renamed over `path`. A node reading the file (at start or on SIGHUP) sees the old file or the new one, never
 * half of one; a failure leaves the old file as it was. Throws {@link KeyFileError}.
 */
export async function writeKeysFile(path: string, keys: Readonly<Record<string, string>>): Promise<void> {
  const checked = keysFileSchema.safeParse(keys, { reportInput: false });
  if (!checked.success) {
    const [first] = checked.error.issues;
    throw new KeyFileError(`${path}: ${first ? `${issuePath(first.path)}: ` : ''}${first?.message ?? 'invalid keys'}`);
  }
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const file = await open(temporary, 'wx', 0o600);
    try {
      await file.writeFile(`${JSON.stringify(checked.data, null, 2)}\n`);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new KeyFileError(`${path}: cannot write the keys file (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Reads the connector's keys file into a {@link KeyRegistry}. */
export async function loadKeysFile(path: string): Promise<KeyRegistry> {
  return new KeyRegistry(await readKeysFile(path));
}

/**
 * Reads a secret file (an agent's key, a cluster or administrator token; `readSecretFile`: regular, mode 0600 or
 * stricter, not empty) as bytes: the secret alone, surrounding
 * ASCII whitespace (a trailing newline) ignored, never decoded, at least {@link MIN_SECRET_BYTES} bytes.
 * `what` names it in errors (`key`, `token`). Throws {@link KeyFileError}.
 */
export async function loadSecretFile(path: string, what = 'key'): Promise<Buffer> {
  const secret = trimAsciiWhitespace(await readSecretFile(path, `${what} file`, keyFileError));
  if (secret.length === 0) throw new KeyFileError(`${path}: the ${what} file is empty`);
  if (secret.length < MIN_SECRET_BYTES) throw new KeyFileError(`${path}: expected a ${what} of at least ${MIN_SECRET_BYTES} bytes`);
  return secret;
}

/** Reads an agent's key file: see {@link loadSecretFile}. */
export function loadAgentKey(path: string): Promise<Buffer> {
  return loadSecretFile(path, 'key');
}

function trimAsciiWhitespace(bytes: Buffer): Buffer {
  const space = (b: number | undefined): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
  let start = 0;
  let end = bytes.length;
  while (start < end && space(bytes[start])) start++;
  while (end > start && space(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}
