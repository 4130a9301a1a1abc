/**
 * The one way the project reads a file it is given (key, keys, token and scenario files): one wording for every
 * failure, `PATH: …`, and the checks a secret file needs.
 *
 * @module
 */
import { constants, open, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { SECRET_FILE_MAX_BYTES } from './input-limits.js';

/** Turns a worded failure into the error the caller throws (e.g. a `KeyFileError`). */
export type FileFailure = (message: string) => Error;

const plainError: FileFailure = (message) => new Error(message);

/** What a file that is not a regular file is, for the message. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a file';
}

/** `path` as a shell word, for the `chmod` the message suggests. */
function shellWord(path: string): string {
  return /^[\w./+,:@%-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}

/**
 * Opens `path` and checks that it is a regular file. The check is made on the open descriptor (`fstat`), so the
 * file checked is the file read; the open does not block (`O_NONBLOCK`), so a FIFO with no writer is refused at
 * once instead of hanging.
 */
async function openRegularFile(path: string, what: string, fail: FileFailure): Promise<{ handle: FileHandle; stats: Stats }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fail(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw fail(`${path}: the ${what} must be a regular file, not ${kindOf(stats)}`);
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * Reads a regular text file, failing with `fail("PATH: …")`: `cannot read the WHAT (CODE)`, or `the WHAT must
 * be a regular file, not a FIFO` (a directory, a socket, a device) — one wording for every file the project
 * reads (scenario files; secret files go through {@link readSecretFile}).
 */
export async function readTextFile(path: string, what: string, fail: FileFailure = plainError): Promise<string> {
  const { handle } = await openRegularFile(path, what, fail);
  try {
    return await handle.readFile('utf8');
  } catch (error) {
    throw fail(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    await handle.close();
  }
}

/** Reads and parses a JSON file; a parse error fails with `fail("PATH: not valid JSON (…)")`. */
export async function readJsonFile(path: string, what: string, fail: FileFailure = plainError): Promise<unknown> {
  const text = await readTextFile(path, what, fail);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Reads a file holding a secret (a keys file, a key, a token, a TLS private key) as bytes, refusing — with
 * `fail("PATH: …")`, naming the file and what to do — a file that:
 *
 * - cannot be opened: `cannot read the WHAT (ENOENT)`;
 * - is not a regular file (a FIFO would block the reader forever; a device could be endless): `the WHAT must be a
 *   regular file, not a FIFO`;
 * - others may read or write (as ssh refuses such a private key; not checked on Windows, which has no such
 *   bits): `the WHAT is readable or writable by group or others (mode 0644); run chmod 600 PATH`;
 * - is empty: `the WHAT is empty`;
 * - is larger than `SECRET_FILE_MAX_BYTES` (16 MiB): `the WHAT is larger than 16 MiB`.
 *
 * The checks are made on the open descriptor, so the file checked is the file read. No message quotes any of
 * the file's content; a caller that parses the bytes must word its own errors the same way.
 *
 * @param what - the file's role in messages, e.g. `keys file`, `token file`
 */
export async function readSecretFile(path: string, what: string, fail: FileFailure = plainError): Promise<Buffer> {
  const { handle, stats } = await openRegularFile(path, what, fail);
  try {
    const mode = stats.mode & 0o777;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      const octal = mode.toString(8).padStart(4, '0');
      throw fail(`${path}: the ${what} is readable or writable by group or others (mode ${octal}); run chmod 600 ${shellWord(path)}`);
    }
    const tooLarge = (): Error => fail(`${path}: the ${what} is larger than ${SECRET_FILE_MAX_BYTES / 1024 / 1024} MiB`);
    if (stats.size > SECRET_FILE_MAX_BYTES) throw tooLarge();
    const bytes = await readAtMost(handle, stats.size, SECRET_FILE_MAX_BYTES + 1, (error) =>
      fail(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`),
    );
    if (bytes.length > SECRET_FILE_MAX_BYTES) throw tooLarge();
    if (bytes.length === 0) throw fail(`${path}: the ${what} is empty`);
    return bytes;
  } finally {
    await handle.close();
  }
}

/**
 * Reads from `handle` until its end or `limit` bytes, whichever comes first (a file may have grown since its
 * size was taken: `size` is only where to start).
 */
async function readAtMost(handle: FileHandle, size: number, limit: number, fail: (error: unknown) => Error): Promise<Buffer> {
  let buffer = Buffer.alloc(Math.min(Math.max(size, 1024), limit));
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length === limit) return buffer;
      const larger = Buffer.alloc(Math.min(buffer.length * 2, limit));
      buffer.copy(larger, 0, 0, length);
      buffer.fill(0);
      buffer = larger;
    }
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, length, buffer.length - length, null));
    } catch (error) {
      throw fail(error);
    }
    if (bytesRead === 0) return buffer.subarray(0, length);
    length += bytesRead;
  }
}
