// Secret files (keys, key, token, TLS key files) and scenario files, through the built CLI as an operator runs
// it: a file others may read is refused with its name and the chmod that fixes it; a FIFO is refused at once
// (it used to block the process forever); an empty keys file is an error; no error quotes any part of a key.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const KEY = 'Q7zX9wLm2vB8nR4tK6pJ';
/** A process that hangs is killed after this long, and fails the test (status null): far beyond a refusal. */
const HANG_MS = 15_000;

let dir: string;

function sentryQuery(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: HANG_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function file(name: string, text: string, mode: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text, { mode });
  return path;
}

function fifo(name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', ['-m', '600', path]);
  return path;
}

/** Every start of the node, with the keys file `keys` and extra arguments. */
function node(keys: string, ...more: string[]): ReturnType<typeof sentryQuery> {
  return sentryQuery('node', '--listen', '0', '--keys', keys, ...more);
}

let goodKeys: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secret-files-'));
  goodKeys = await file('keys.json', JSON.stringify({ 'web-01': KEY }), 0o600);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('secret files readable by others are refused, naming the file and the fix', () => {
  it.each([
    ['0644', 0o644],
    ['0640', 0o640],
    ['0604', 0o604],
  ])('a keys file of mode %s', async (octal, mode) => {
    const keys = await file(`keys-${octal}.json`, JSON.stringify({ 'web-01': KEY }), mode);
    const run = node(keys);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: ${keys}: the keys file is readable or writable by group or others (mode ${octal}); run chmod 600 ${keys}\n`,
    );
  });

  it("an agent's key file", async () => {
    const key = await file('agent.key', `${KEY}\n`, 0o644);
    const run = sentryQuery('agent', '--connect', 'ws://127.0.0.1:9', '--guid', 'web-01', '--key-file', key);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: ${key}: the key file is readable or writable by group or others (mode 0644); run chmod 600 ${key}\n`);
  });

  it('the token file of a query (--token-file)', async () => {
    const token = await file('query.token', `${'t'.repeat(24)}\n`, 0o644);
    const run = sentryQuery('--host', 'ws://127.0.0.1:9', '--token-file', token, 'sentry');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: ${token}: the token file is readable or writable by group or others (mode 0644); run chmod 600 ${token}\n`,
    );
  });

  it("a node's --admin-token-file", async () => {
    const token = await file('shared.token', `${'t'.repeat(24)}\n`, 0o644);
    const run = node(goodKeys, '--query-port', '0', '--admin-token-file', token);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: ${token}: the token file is readable or writable by group or others (mode 0644); run chmod 600 ${token}\n`,
    );
  });

  it('a TLS private key (--tls-key)', async () => {
    const key = await file('tls-key.pem', '-----BEGIN PRIVATE KEY-----\n', 0o644);
    const cert = await file('tls-cert.pem', '-----BEGIN CERTIFICATE-----\n', 0o644);
    const run = node(goodKeys, '--tls-cert', cert, '--tls-key', key);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      `error: ${key}: the TLS key file is readable or writable by group or others (mode 0644); run chmod 600 ${key}\n`,
    );
  });
});

describe('a FIFO is refused at once, not read forever', () => {
  it('as a keys file', () => {
    const path = fifo('keys.fifo');
    const run = node(path);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: ${path}: the keys file must be a regular file, not a FIFO\n`);
  });

  it('as a token file and a key file', () => {
    const path = fifo('token.fifo');
    const query = sentryQuery('--host', 'ws://127.0.0.1:9', '--token-file', path, 'sentry');
    expect(query.status).toBe(1);
    expect(query.stderr).toBe(`error: ${path}: the token file must be a regular file, not a FIFO\n`);
    const agent = sentryQuery('agent', '--connect', 'ws://127.0.0.1:9', '--key-file', path);
    expect(agent.status).toBe(1);
    expect(agent.stderr).toBe(`error: ${path}: the key file must be a regular file, not a FIFO\n`);
  });

  it('as a scenario file (which, not being secret, may be 0644)', () => {
    const path = fifo('scenario.fifo');
    const run = sentryQuery('--scenario', path, 'sentry');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: bad scenario: ${path}: the scenario file must be a regular file, not a FIFO\n`);
  });

  it('a directory too', () => {
    const run = node(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(`error: ${dir}: the keys file must be a regular file, not a directory\n`);
  });
});

describe('empty secret files are errors', () => {
  it('an empty keys file, and one that lists no sentries', async () => {
    const empty = await file('empty.json', '', 0o600);
    expect(node(empty)).toMatchObject({ status: 1, stderr: `error: ${empty}: the keys file is empty\n` });
    const none = await file('none.json', '{}\n', 0o600);
    expect(node(none)).toMatchObject({ status: 1, stderr: `error: ${none}: the keys file lists no sentries\n` });
  });

  it('a token file of blanks', async () => {
    const blank = await file('blank.token', '  \n\n', 0o600);
    const run = sentryQuery('--host', 'ws://127.0.0.1:9', '--token-file', blank, 'sentry');
    expect(run).toMatchObject({ status: 1, stderr: `error: ${blank}: the token file is empty\n` });
  });
});

describe('no error quotes any part of a key', () => {
  it.each([
    ['an unquoted key', `{"web-01": ${KEY}}`],
    ['a key in single quotes', `{"web-01": '${KEY}'}`],
    ['a trailing comma after the key', `{"web-01": "${KEY}",\n}`],
    ['a key too short', `{"web-01": "${KEY.slice(0, 12)}"}`],
    ['a key that is a number', `{"web-01": 1234567890123456789}`],
  ])('%s', async (name, text) => {
    const keys = await file(`${name.replaceAll(' ', '-')}.json`, text, 0o600);
    const run = node(keys);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^error: ${keys}: `));
    // Not even 4 characters in a row of the key (or of the number standing for one), the file's name aside.
    const said = run.stderr.replaceAll(keys, 'FILE');
    for (const secret of [KEY, '1234567890123456789']) {
      for (let i = 0; i + 4 <= secret.length; i++) expect(said).not.toContain(secret.slice(i, i + 4));
    }
  });

  it('a JSON error says where it is', async () => {
    const keys = await file('where.json', `{\n  "web-01": "${KEY}",\n}\n`, 0o600);
    expect(node(keys).stderr).toBe(`error: ${keys}: not valid JSON at line 3, column 1: expected double-quoted property name\n`);
  });
});
