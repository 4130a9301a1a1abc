// Every client refuses plain ws:// to a host that is not loopback unless --insecure, at start, in one line,
// before opening any socket. The children run with test/helpers/no-connect.mjs preloaded: it blocks (and
// reports) any outgoing connection that is not loopback, so nothing is ever sent to 192.0.2.1 (TEST-NET-1), and
// a test sees whether a socket was attempted at all.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost, requireSecureUrl } from '../../src/rpc/transport-security.js';
import { Children, runToEnd } from '../helpers/child-cli.js';

const NO_CONNECT = ['--import', pathToFileURL(join(import.meta.dirname, '..', 'helpers', 'no-connect.mjs')).href];
const FAR = 'ws://192.0.2.1:8443';
const REFUSAL = /^error: refusing plain ws:\/\/ to 192\.0\.2\.1, which is not loopback: .* Use wss:\/\/ .* or give --insecure .*\n$/;
let dir: string;
let file: (name: string) => string;
const children = new Children();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'plain-ws-'));
  file = (name) => join(dir, name);
  await writeFile(file('secret'), 's'.repeat(24), { mode: 0o600 });
  await writeFile(file('keys.json'), JSON.stringify({ 'sim-1': 's'.repeat(24) }), { mode: 0o600 });
});
afterAll(async () => {
  children.killAll();
  await rm(dir, { recursive: true, force: true });
});

const clients: ReadonlyArray<readonly [string, () => string[]]> = [
  ['sentry-query --host', () => ['--host', FAR, '--token-file', file('secret'), 'sentry']],
  ['agent --connect', () => ['agent', '--connect', FAR, '--key-file', file('secret'), '--guid', 'g']],
  ['simulate --connect', () => ['simulate', '--connect', FAR, '--keys', file('keys.json')]],
];

describe('plain ws:// to a host that is not loopback', () => {
  for (const [name, args] of clients) {
    it(`${name}: refused at start in one line saying what to do, exit 1, no socket opened`, async () => {
      const result = await runToEnd(args(), NO_CONNECT);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(REFUSAL);
      expect(result.stderr).not.toMatch(/no-connect/);
    });
  }

  it('sentry-query --insecure: allowed (the connection is attempted, and blocked here by the test)', async () => {
    const result = await runToEnd(['--host', FAR, '--insecure', '--token-file', file('secret'), 'sentry'], NO_CONNECT);
    expect(result.stderr).toMatch(/^no-connect: blocked 192\.0\.2\.1:8443$/m);
    expect(result.stderr).toMatch(/^error: cannot reach ws:\/\/192\.0\.2\.1:8443: no-connect: blocked/m);
    expect(result.code).toBe(1);
  });

  it('agent --insecure: allowed (it tries to connect, blocked here by the test, and retries)', async () => {
    const agent = children.start(['agent', '--connect', FAR, '--insecure', '--key-file', file('secret'), '--guid', 'g'], NO_CONNECT);
    await agent.waitFor('stderr', /^cannot connect to ws:\/\/192\.0\.2\.1:8443: no-connect: blocked 192\.0\.2\.1; retrying in/m);
    expect(agent.output.stderr).toMatch(/^no-connect: blocked 192\.0\.2\.1:8443$/m);
    agent.process.kill('SIGKILL');
  });
});

describe('which hosts are loopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', '[::1]', '::1', 'localhost', 'LOCALHOST', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]'])(
    '%s is',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );
  it.each(['192.0.2.1', '[::ffff:192.0.2.1]', '0.0.0.0', '[::]', 'example.com', 'localhost.example.com', '10.0.0.1'])(
    '%s is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
  it('wss:// is always allowed; ws:// to loopback is allowed; other schemes are refused', () => {
    expect(() => requireSecureUrl('wss://192.0.2.1:1')).not.toThrow();
    expect(() => requireSecureUrl('ws://127.0.0.1:1')).not.toThrow();
    expect(() => requireSecureUrl('ws://[::1]:1')).not.toThrow();
    expect(() => requireSecureUrl('ws://192.0.2.1:1')).toThrow(/refusing plain ws:\/\//);
    expect(() => requireSecureUrl('ws://192.0.2.1:1', true)).not.toThrow();
    expect(() => requireSecureUrl('http://127.0.0.1:1')).toThrow(/expected ws:\/\/ or wss:\/\//);
  });
});
