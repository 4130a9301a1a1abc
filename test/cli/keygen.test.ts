// `sentry-query keygen` as a real child process: new keys, and a node's keys file written atomically, 0600.
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runToEnd } from '../helpers/child-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'keygen-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('sentry-query keygen', () => {
  it('prints a new random key of 32 base64url characters each time', async () => {
    const [a, b] = await Promise.all([runToEnd(['keygen']), runToEnd(['keygen'])]);
    expect(a).toMatchObject({ code: 0, stderr: '' });
    expect(a.stdout).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    expect(b.stdout).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    expect(a.stdout).not.toBe(b.stdout);
  });

  it('adds the key to a keys file it creates 0600, refuses a guid that has one unless --rotate, and leaves no temporary file', async () => {
    const keys = join(dir, 'keys.json');
    const first = await runToEnd(['keygen', '--guid', 'web-01', '--keys', keys]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe(`added "web-01" in ${keys}; send SIGHUP to the node to load it\n`);
    expect((await stat(keys)).mode & 0o777).toBe(0o600);
    const second = await runToEnd(['keygen', '--guid', 'web-02', '--keys', keys]);
    expect(JSON.parse(await readFile(keys, 'utf8'))).toEqual({ 'web-01': first.stdout.trim(), 'web-02': second.stdout.trim() });

    const again = await runToEnd(['keygen', '--guid', 'web-01', '--keys', keys]);
    expect(again).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: "web-01" already has a key in ${keys}: give --rotate to replace it\n`,
    });
    const rotated = await runToEnd(['keygen', '--guid', 'web-01', '--keys', keys, '--rotate']);
    expect(rotated.code).toBe(0);
    expect(JSON.parse(await readFile(keys, 'utf8'))).toEqual({ 'web-01': rotated.stdout.trim(), 'web-02': second.stdout.trim() });
    expect((await stat(keys)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('refuses, in one line and without touching it, a keys file others may read', async () => {
    const keys = join(dir, 'open.json');
    await writeFile(keys, JSON.stringify({ 'web-01': 'k'.repeat(20) }));
    await chmod(keys, 0o644);
    const refused = await runToEnd(['keygen', '--guid', 'web-02', '--keys', keys]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*open\.json.*chmod 600.*\n$/);
    expect(refused.stderr.split('\n')).toHaveLength(2);
    expect(JSON.parse(await readFile(keys, 'utf8'))).toEqual({ 'web-01': 'k'.repeat(20) });
  });

  it('--guid without --keys is a usage error', async () => {
    expect(await runToEnd(['keygen', '--guid', 'web-01'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --guid and --keys go together (the key of GUID is added to the keys file)\n',
    });
  });
});
