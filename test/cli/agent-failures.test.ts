// Real child processes on loopback: `sentry-query agent --connect` against `sentry-query node` children (one
// serving TLS with a query port, one plain). Each way of pointing an agent wrong ends in one line naming the
// cause and exit 1 (retrying cannot fix it); a refused connection is retried, saying so.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Children, runToEnd, type RunningChild } from '../helpers/child-cli.js';
import { selfSigned } from '../helpers/tls-cert.js';

const tls = selfSigned();
const other = selfSigned();
const KEY = 'agent-failures-key-0123456789';
const children = new Children();
let dir: string;
let file: (name: string) => string;
let tlsPorts: Record<string, number>;
let plainPort: number;

async function ports(child: RunningChild, labels: readonly string[]): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  for (const label of labels)
    seen[label] = Number((await child.waitFor('stdout', new RegExp(`^${label} on wss?://[^:]+:(\\d+)$`, 'm')))[1]);
  return seen;
}

/** Runs an agent to its end: it must stop by itself (the deadline is the guard). */
const agent = (...args: string[]): ReturnType<typeof runToEnd> => runToEnd(['agent', '--key-file', file('agent.key'), ...args]);

/** Stderr without the start-up warning a non-root agent prints (test/agent/pid-visibility.test.ts). */
const withoutPidWarning = (stderr: string): string => stderr.replace(/^warning: running as uid .*\n/m, '');

/** One line, `error: …`, exit 1, no stack trace. */
function expectOneLine(result: Awaited<ReturnType<typeof runToEnd>>, pattern: RegExp): void {
  const stderr = withoutPidWarning(result.stderr);
  expect(result.code).toBe(1);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe.skipIf(!tls || !other)('agent --connect: why it cannot connect', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agent-failures-'));
    file = (name) => join(dir, name);
    await writeFile(file('cert.pem'), tls!.cert);
    await writeFile(file('key.pem'), tls!.key, { mode: 0o600 });
    await writeFile(file('other.pem'), other!.cert);
    await writeFile(file('keys.json'), JSON.stringify({ 'f-1': KEY }), { mode: 0o600 });
    await writeFile(file('agent.key'), `${KEY}\n`, { mode: 0o600 });
    await writeFile(file('wrong.key'), `${'w'.repeat(24)}\n`, { mode: 0o600 });
    await writeFile(file('admin.token'), `${'a'.repeat(24)}\n`, { mode: 0o600 });
    const secure = children.start([
      'node',
      '--listen',
      '0',
      '--keys',
      file('keys.json'),
      '--tls-cert',
      file('cert.pem'),
      '--tls-key',
      file('key.pem'),
      '--query-port',
      '0',
      '--admin-token-file',
      file('admin.token'),
    ]);
    const plain = children.start(['node', '--listen', '0', '--keys', file('keys.json')]);
    tlsPorts = await ports(secure, ['listening', 'queries']);
    plainPort = (await ports(plain, ['listening']))['listening']!;
  });
  afterAll(async () => {
    children.killAll();
    await rm(dir, { recursive: true, force: true });
  });

  const sentryUrl = (): string => `wss://127.0.0.1:${tlsPorts['listening']}`;

  it('TLS without --ca: the certificate is not trusted, give --ca', async () => {
    expectOneLine(
      await agent('--connect', sentryUrl(), '--guid', 'f-1'),
      /^error: cannot connect to wss:\/\/127\.0\.0\.1:\d+: the server's TLS certificate is not trusted \(self-signed certificate\): give --ca FILE/,
    );
  });

  it('TLS with the wrong --ca: the certificate is not signed by that file', async () => {
    expectOneLine(
      await agent('--connect', sentryUrl(), '--guid', 'f-1', '--ca', file('other.pem')),
      /^error: cannot connect to wss:\/\/.*: the node's TLS certificate is not signed by .*other\.pem .*give --ca the certificate the node serves/,
    );
  });

  it('ws:// to a TLS port: write wss://', async () => {
    const url = `ws://127.0.0.1:${tlsPorts['listening']}`;
    expectOneLine(
      await agent('--connect', url, '--guid', 'f-1'),
      new RegExp(`^error: cannot connect to ${url}: the port serves TLS: write wss://127\\.0\\.0\\.1:\\d+\n$`),
    );
  });

  it('wss:// to a plain port: it does not speak TLS', async () => {
    expectOneLine(
      await agent('--connect', `wss://127.0.0.1:${plainPort}`, '--guid', 'f-1'),
      /^error: cannot connect to wss:\/\/127\.0\.0\.1:\d+: the port does not speak TLS: write ws:\/\/127\.0\.0\.1:\d+/,
    );
  });

  it('a wrong key, or a guid the node does not know: authentication failed for that guid', async () => {
    const because = (guid: string): RegExp =>
      new RegExp(`^error: authentication failed for guid ${guid}: wrong key, or the node does not know this guid`);
    const ca = ['--ca', file('cert.pem')];
    expectOneLine(
      await runToEnd(['agent', '--key-file', file('wrong.key'), '--connect', sentryUrl(), '--guid', 'f-1', ...ca]),
      because('f-1'),
    );
    expectOneLine(await agent('--connect', sentryUrl(), '--guid', 'nobody', ...ca), because('nobody'));
  });

  it('an empty --guid is refused before connecting', async () => {
    expectOneLine(await agent('--connect', sentryUrl(), '--guid', ''), /^error: the guid "" is empty: a guid is 1 to 256 characters\n$/);
  });

  it("the node's query port: wrong endpoint", async () => {
    const url = `wss://127.0.0.1:${tlsPorts['queries']}`;
    expectOneLine(
      await agent('--connect', url, '--guid', 'f-1', '--ca', file('cert.pem')),
      new RegExp(`^error: wrong endpoint: ${url} is a node's query port, not its sentry port`),
    );
  });

  it('connection refused is retried, saying so', async () => {
    // A port nothing listens on: the plain node's, once that node is gone, would race; port 1 is never served here.
    const child = children.start(['agent', '--connect', 'ws://127.0.0.1:1', '--guid', 'f-1', '--key-file', file('agent.key')]);
    await child.waitFor(
      'stderr',
      /^cannot connect to ws:\/\/127\.0\.0\.1:1: connection refused \(is the node running, and listening on this port\?\); retrying in \d+\.\d s\n(.*\n){1}/m,
    );
    expect(child.process.exitCode).toBe(null);
    child.process.kill('SIGKILL');
  });

  it.each([
    ['127.0.0.1:20443', /^error: 127\.0\.0\.1:20443 has no scheme: write wss:\/\/127\.0\.0\.1:20443/],
    [
      'https://127.0.0.1:20443',
      /^error: https:\/\/127\.0\.0\.1:20443: a node's sentry port speaks WebSocket: write wss:\/\/127\.0\.0\.1:20443\n$/,
    ],
    ['ws://127.0.0.1:20443/#x', /^error: ws:\/\/127\.0\.0\.1:20443\/#x: a WebSocket URL cannot have a #fragment\n$/],
  ])('a URL that cannot work (%s) is one line, exit 1', async (url, message) => {
    expectOneLine(await agent('--connect', url, '--guid', 'f-1'), message);
  });
});
