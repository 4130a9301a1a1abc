// Keys and tokens are compared as bytes. Real child processes on loopback: secrets that are not UTF-8 and differ,
// but decode to the same text (every invalid byte becomes U+FFFD), must not match; a keys file that could only
// hold such a key (invalid UTF-8, a lone surrogate escape) is refused at start.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Children, runToEnd, queryNodeArgs } from '../helpers/child-cli.js';

const FF = Buffer.alloc(24, 0xff);
const FE = Buffer.alloc(24, 0xfe);
const children = new Children();
let dir: string;
let file: (name: string) => string;
let queryPort: number;
let sentryPort: number;

beforeAll(async () => {
  expect(FF.toString('utf8')).toBe(FE.toString('utf8')); // the premise: as text they are the same
  dir = await mkdtemp(join(tmpdir(), 'secret-bytes-'));
  file = (name) => join(dir, name);
  await writeFile(file('admin-ff.token'), FF, { mode: 0o600 });
  await writeFile(file('admin-fe.token'), FE, { mode: 0o600 });
  // A sentry whose configured key is the text U+FFFD × 16, and an agent whose key file holds 0xFF × 16.
  await writeFile(file('keys.json'), JSON.stringify({ 'u-1': '\ufffd'.repeat(16) }), { mode: 0o600 });
  await writeFile(file('agent-ff.key'), Buffer.alloc(16, 0xff), { mode: 0o600 });
  const node = children.start(queryNodeArgs(file('keys.json'), file('admin-ff.token')));
  sentryPort = Number((await node.waitFor('stdout', /^listening on ws:\/\/127\.0\.0\.1:(\d+)$/m))[1]);
  queryPort = Number((await node.waitFor('stdout', /^queries on ws:\/\/127\.0\.0\.1:(\d+)$/m))[1]);
}, 30_000);

afterAll(async () => {
  children.killAll();
  await rm(dir, { recursive: true, force: true });
});

const query = (tokenFile: string): ReturnType<typeof runToEnd> =>
  runToEnd(['--host', `ws://127.0.0.1:${queryPort}`, '--token-file', file(tokenFile), '--format', 'jsonl', 'sentry | fields guid']);

describe('secrets are compared as bytes', () => {
  it('an administrator token of other bytes is refused, even though it decodes to the same text', async () => {
    expect(await query('admin-fe.token')).toEqual({ code: 1, stdout: '', stderr: 'error: authentication failed\n' });
    expect(await query('admin-ff.token')).toMatchObject({ code: 0, stderr: '' });
  });

  it("an agent's key of invalid UTF-8 does not match the configured key its text decodes to", async () => {
    const agent = await runToEnd([
      'agent',
      '--connect',
      `ws://127.0.0.1:${sentryPort}`,
      '--guid',
      'u-1',
      '--key-file',
      file('agent-ff.key'),
    ]);
    expect(agent.stderr).toMatch(/^error: authentication failed for guid u-1: wrong key/m);
    expect(agent.stderr).not.toMatch(/connected to/);
    expect(agent.code).toBe(1);
  });

  it.each([
    ['invalid UTF-8', Buffer.concat([Buffer.from('{"u-1":"'), Buffer.alloc(16, 0xff), Buffer.from('"}')]), /not valid UTF-8/],
    [
      'a lone surrogate escape',
      Buffer.from(`{"u-1":"${'\\ud800'.repeat(16)}"}`),
      /u-1: a key must be valid Unicode \(it holds a lone surrogate escape\)/,
    ],
  ])('a keys file with %s is refused at start, in one line', async (_name, content, message) => {
    await writeFile(file('bad-keys.json'), content, { mode: 0o600 });
    const result = await runToEnd(['node', '--listen', '0', '--keys', file('bad-keys.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error: ${file('bad-keys.json').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
