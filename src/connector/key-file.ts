import { z } from 'zod';
import { readBytesFile } from '../runtime/read-file.js';
import { describeIssue } from '../runtime/zod-issue.js';
import { KeyRegistry } from './key-registry.js';

/** A key file could not be used; the message names the file and what is wrong. */
export class KeyFileError extends Error {
  /** Always `KeyFileError`. */
  override readonly name = 'KeyFileError';
}

/** Shortest secret accepted: a key of a sentry, a cluster or administrator token (16 bytes). */
export const MIN_SECRET_BYTES = 16;

/** A lone UTF-16 surrogate: JSON can write one (`"\ud800"`), but it has no UTF-8 bytes of its own. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The connector's keys file: a JSON object of guid → key (at least 16 characters each). A key stands for its
 * UTF-8 bytes, so it must have some: a lone surrogate (which every encoder turns into U+FFFD, the same bytes as
 * another key's) is refused.
 */
export const keysFileSchema = z.record(
  z.string().min(1, { error: 'expected a non-empty guid' }),
  z
    .string()
    .min(16, { error: 'expected a key of at least 16 characters' })
    .refine((key) => !LONE_SURROGATE.test(key), { error: 'a key must be valid Unicode (it holds a lone surrogate escape)' }),
);

const keyFileError = (message: string): KeyFileError => new KeyFileError(message);

/**
 * Reads and checks the connector's keys file (`{ "guid": "key", ... }`): guid → key, in file order. The file
 * must be UTF-8: invalid bytes are refused, not replaced by U+FFFD (which would make different keys equal).
 * Throws {@link KeyFileError} naming the file and what is wrong.
 */
export async function readKeysFile(path: string): Promise<Record<string, string>> {
  const bytes = await readBytesFile(path, 'key file', keyFileError);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new KeyFileError(`${path}: not valid UTF-8 (a keys file is JSON text; keep binary keys out of it)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeyFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const checked = keysFileSchema.safeParse(json, { reportInput: false });
  if (!checked.success) {
    const [first] = checked.error.issues;
    throw new KeyFileError(`${path}: ${first ? describeIssue(first) : 'invalid keys file'}`);
  }
  return checked.data;
}

/** Reads the connector's keys file into a {@link KeyRegistry}. */
export async function loadKeysFile(path: string): Promise<KeyRegistry> {
  return new KeyRegistry(await readKeysFile(path));
}

/**
 * Reads a secret file (an agent's key, a cluster or administrator token) as bytes: the secret alone, surrounding
 * ASCII whitespace (a trailing newline) ignored, never decoded, at least {@link MIN_SECRET_BYTES} bytes.
 * `what` names it in errors (`key`, `token`). Throws {@link KeyFileError}.
 */
export async function loadSecretFile(path: string, what = 'key'): Promise<Buffer> {
  const secret = trimAsciiWhitespace(await readBytesFile(path, `${what} file`, keyFileError));
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
