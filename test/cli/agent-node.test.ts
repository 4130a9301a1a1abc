// Real child processes on loopback: `sentry-query agent --connect` and `sentry-query node --listen`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IpAddress } from '../../src/index.js';
import { KeyRegistry, WebSocketConnector } from '../../src/connector/index.js';
import { startAgent, type AgentStatus } from '../../src/agent/index.js';
import { MockHost } from '../../sdk-mock/index.js';
import { queryNodeArgs } from '../helpers/child-cli.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const KEY = 'k'.repeat(16) + '-agent-node-test';
const children: ChildProcess[] = [];

function start(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** The first line of `stream` matching `pattern` (the test's timeout is the guard). */
function lineMatching(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: stream });
    lines.on('line', (line) => {
      if (pattern.test(line)) {
        lines.close();
        resolve(line);
      }
    });
  });
}

/** The exit code (null when killed by a signal); also when the child has already exited. */
function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agent-node-'));
  await writeFile(join(dir, 'agent.key'), `${KEY}\n`, { mode: 0o600 });
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ 'child-1': KEY }), { mode: 0o600 });
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe.runIf(platform() === 'linux')('sentry-query agent --connect (a child process) against a connector', () => {
  let listener: Server;
  let listener6: Server;
  let udp: UdpSocket;
  beforeAll(async () => {
    listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    listener6 = createServer();
    await new Promise<void>((resolve) => listener6.listen(0, '::1', resolve));
    udp = createSocket('udp6');
    await new Promise<void>((resolve) => udp.bind(0, '::1', resolve));
  });
  afterAll(() => {
    listener.close();
    listener6.close();
    udp.close();
  });

  it("answers sentry-netstat with this host's sockets, then goes 'not connected' when killed", async () => {
    const connector = await WebSocketConnector.listen({ host: '127.0.0.1', port: 0, keys: new KeyRegistry({ 'child-1': KEY }) });
    try {
      const agent = start(
        'agent',
        '--connect',
        `ws://127.0.0.1:${connector.address().port}`,
        '--guid',
        'child-1',
        '--key-file',
        join(dir, 'agent.key'),
      );
      await lineMatching(agent.stderr!, /^connected to ws:\/\/127\.0\.0\.1:\d+ as child-1$/);

      const host = new MockHost({ connector, env: {} });
      const rows = await host.query('sentry | fields guid | sentry-netstat timeout=10');
      const port = (s: { address(): unknown }): number => (s.address() as { port: number }).port;
      const find = (protocol: string, p: number) => rows.find((r) => r['protocol'] === protocol && r['local_port'] === p);
      expect(find('tcp', port(listener))).toMatchObject({
        guid: 'child-1',
        pid: process.pid,
        local_ip: IpAddress.parse('127.0.0.1'),
        state: 'LISTEN',
      });
      expect(find('tcp6', port(listener6))).toMatchObject({
        guid: 'child-1',
        pid: process.pid,
        local_ip: IpAddress.parse('::1'),
        state: 'LISTEN',
      });
      expect(find('udp6', port(udp))).toMatchObject({ guid: 'child-1', pid: process.pid, local_ip: IpAddress.parse('::1'), state: 'NONE' });

      agent.kill('SIGKILL');
      await exited(agent);
      const after = await host.query('sentry | fields guid | sentry-netstat timeout=10');
      expect(after).toHaveLength(1);
      expect(['not connected', 'disconnected']).toContain(after[0]!['_error']);
    } finally {
      await connector.close();
    }
  });

  it('an agent killed mid-call: the call in flight ends in "disconnected"', async () => {
    const connector = await WebSocketConnector.listen({ host: '127.0.0.1', port: 0, keys: new KeyRegistry({ 'child-1': KEY }) });
    try {
      const agent = start(
        'agent',
        '--connect',
        `ws://127.0.0.1:${connector.address().port}`,
        '--guid',
        'child-1',
        '--key-file',
        join(dir, 'agent.key'),
      );
      await lineMatching(agent.stderr!, /^connected to /);
      // Stopped, it cannot answer: the call stays in flight until the process dies and the kernel closes its socket.
      agent.kill('SIGSTOP');
      const call = connector.call('child-1', 'netstat', {}, { timeoutMs: 60_000 });
      agent.kill('SIGKILL');
      await expect(call).rejects.toThrow('disconnected');
      await exited(agent);
    } finally {
      await connector.close();
    }
  });

  it('refuses --connect without --key-file (exit 1)', async () => {
    const child = start('agent', '--connect', 'ws://127.0.0.1:9');
    const message = lineMatching(child.stderr!, /--key-file/);
    expect(await exited(child)).toBe(1);
    expect(await message).toBe('error: --connect needs --key-file FILE');
  });
});

describe('sentry-query node --listen (a child process)', () => {
  it('serves a sentry with the right key, logs one with a wrong key, and stops on SIGINT', async () => {
    const node = start('node', '--listen', '0', '--keys', join(dir, 'keys.json'));
    const url = (await lineMatching(node.stdout!, /^listening on ws:\/\//)).replace('listening on ', '');
    const rejected = lineMatching(node.stderr!, /"event":"rejected"/);

    const statuses: AgentStatus['state'][] = [];
    const good = await new Promise<ReturnType<typeof startAgent>>((resolve) => {
      const agent = startAgent({
        url,
        guid: 'child-1',
        key: KEY,
        methods: { netstat: () => [] },
        onStatus: (s) => {
          statuses.push(s.state);
          if (s.state === 'connected') resolve(agent);
        },
      });
    });
    expect(good.connected).toBe(true);

    const bad = startAgent({ url, guid: 'child-1', key: 'w'.repeat(32), methods: { netstat: () => [] }, backoff: () => 60_000 });
    expect(JSON.parse(await rejected)).toMatchObject({ event: 'rejected', guid: 'child-1' });
    await bad.stop();
    expect(good.connected).toBe(true);
    await good.stop();

    node.kill('SIGINT');
    expect(await exited(node)).toBe(0);
  });
});

describe('sentry-query --host: queries sent to a node (child processes)', () => {
  it('runs sentry-netstat on the node over its sentries; refuses a wrong token; keeps parse error codes', async () => {
    const token = 't'.repeat(24);
    await writeFile(join(dir, 'admin.token'), `${token}\n`, { mode: 0o600 });
    await writeFile(join(dir, 'wrong.token'), `${'x'.repeat(24)}\n`, { mode: 0o600 });
    const node = start(...queryNodeArgs(join(dir, 'keys.json'), join(dir, 'admin.token')));
    const lines = createInterface({ input: node.stdout! });
    const urls: string[] = [];
    await new Promise<void>((resolve) =>
      lines.on('line', (line) => {
        urls.push(line);
        if (urls.length === 2) resolve();
      }),
    );
    const sentryUrl = urls[0]!.replace('listening on ', '');
    const queryUrl = urls[1]!.replace('queries on ', '');

    const answer = [{ pid: 7, protocol: 'tcp6', local_ip: '::1', local_port: 8080, remote_ip: '::', remote_port: 0, state: 'LISTEN' }];
    const agent = await new Promise<ReturnType<typeof startAgent>>((resolve) => {
      const a = startAgent({
        url: sentryUrl,
        guid: 'child-1',
        key: KEY,
        methods: { netstat: () => answer },
        onStatus: (s) => {
          if (s.state === 'connected') resolve(a);
        },
      });
    });
    try {
      const query = (tokenFile: string, text: string) =>
        new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
          const child = start('--host', queryUrl, '--token-file', join(dir, tokenFile), '--format', 'jsonl', text);
          let stdout = '';
          let stderr = '';
          child.stdout!.on('data', (d: Buffer) => {
            stdout += d.toString();
          });
          child.stderr!.on('data', (d: Buffer) => {
            stderr += d.toString();
          });
          child.once('exit', (code) => resolve({ code, stdout, stderr }));
        });

      const ok = await query('admin.token', 'sentry | fields guid | sentry-netstat');
      expect(ok.code).toBe(0);
      expect(
        ok.stdout
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
      ).toEqual([
        { guid: 'child-1', pid: 7, protocol: 'tcp6', local_ip: '::1', local_port: 8080, remote_ip: '::', remote_port: 0, state: 'LISTEN' },
      ]);

      const refused = await query('wrong.token', 'sentry');
      expect(refused).toMatchObject({ code: 1, stdout: '', stderr: 'error: authentication failed\n' });

      const parse = await query('admin.token', 'sentry | fields guid | sentry-netstat timeout=0');
      expect(parse).toMatchObject({
        code: 2,
        stderr: '23101 Invalid sentry RPC timeout option value. Use a value between 1 and 600. Got "0".\n',
      });
    } finally {
      await agent.stop();
      node.kill('SIGINT');
      expect(await exited(node)).toBe(0);
    }
  });
});
