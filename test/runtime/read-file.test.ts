// readSecretFile / readTextFile: the checks every secret file goes through, on real files.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET_FILE_MAX_BYTES } from '../../src/rpc/limits.js';
import { readSecretFile, readTextFile } from '../../src/runtime/read-file.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-file-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: string, mode = 0o600): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, content, { mode });
  await chmod(path, mode);
  return path;
}

describe('readSecretFile', () => {
  it.each([0o600, 0o400, 0o700])('reads a file of mode %o', async (mode) => {
    const path = await file(`ok-${mode.toString(8)}`, 'the secret', mode);
    expect((await readSecretFile(path, 'token file')).toString()).toBe('the secret');
  });

  it.each([0o644, 0o640, 0o620, 0o604, 0o602, 0o601, 0o610])('refuses a file of mode %o, naming it and the fix', async (mode) => {
    const octal = mode.toString(8).padStart(4, '0');
    const path = await file(`open-${octal}`, 'the secret', mode);
    await expect(readSecretFile(path, 'token file')).rejects.toThrow(
      `${path}: the token file is readable or writable by group or others (mode ${octal}); run chmod 600 ${path}`,
    );
  });

  it('quotes a path the shell would split, in the chmod it suggests', async () => {
    const path = await file("it's a key", 'the secret', 0o644);
    await expect(readSecretFile(path, 'key file')).rejects.toThrow(`; run chmod 600 '${dir}/it'\\''s a key'`);
  });

  it('refuses a FIFO without waiting for a writer, and a directory', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    await expect(readSecretFile(fifo, 'keys file')).rejects.toThrow(`${fifo}: the keys file must be a regular file, not a FIFO`);
    await expect(readTextFile(fifo, 'scenario file')).rejects.toThrow(`${fifo}: the scenario file must be a regular file, not a FIFO`);
    await expect(readSecretFile(dir, 'keys file')).rejects.toThrow(`${dir}: the keys file must be a regular file, not a directory`);
  });

  it('refuses an empty file, a missing one, and one beyond SECRET_FILE_MAX_BYTES', async () => {
    const empty = await file('empty', '');
    await expect(readSecretFile(empty, 'token file')).rejects.toThrow(`${empty}: the token file is empty`);
    await expect(readSecretFile(join(dir, 'nope'), 'token file')).rejects.toThrow(`${dir}/nope: cannot read the token file (ENOENT)`);
    const big = await file('big', '');
    await truncate(big, SECRET_FILE_MAX_BYTES + 1);
    await expect(readSecretFile(big, 'keys file')).rejects.toThrow(`${big}: the keys file is larger than 16 MiB`);
    await truncate(big, SECRET_FILE_MAX_BYTES);
    expect(await readSecretFile(big, 'keys file')).toHaveLength(SECRET_FILE_MAX_BYTES);
  });
});
