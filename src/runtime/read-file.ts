import { readFile } from 'node:fs/promises';

/**
 * Reads a file as bytes (a secret is never decoded: see src/rpc/challenge.ts), failing with
 * `fail("PATH: cannot read the WHAT (CODE)")`.
 */
export async function readBytesFile(path: string, what: string, fail: (message: string) => Error): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw fail(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * Reads a text file, failing with `fail("PATH: cannot read the WHAT (CODE)")` — one wording for every file the
 * project reads (key files, scenario files).
 */
export async function readTextFile(path: string, what: string, fail: (message: string) => Error): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw fail(`${path}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Reads and parses a JSON file; a parse error fails with `fail("PATH: not valid JSON (…)")`. */
export async function readJsonFile(path: string, what: string, fail: (message: string) => Error): Promise<unknown> {
  const text = await readTextFile(path, what, fail);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail(`${path}: not valid JSON (${(error as Error).message})`);
  }
}
