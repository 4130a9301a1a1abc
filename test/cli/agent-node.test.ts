// Real child processes on loopback: `sentry-query agent --connect` and `sentry-query node --listen`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyRegistry, startAgent, WebSocketConnector, type AgentStatus } from '../../src/index.js';
import { MockHost } from '../../sdk-mock/index.js';

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
    lines.on('line', (line) => { if (pattern.test(line)) { lines.close(); resolve(line); } });
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
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
  beforeAll(async () => {
    listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => { listener.close(); });

  it("answers sentry-netstat with this host's sockets, then goes 'not connected' when killed", async () => {
    const connector = await WebSocketConnector.listen({ host: '127.0.0.1', port: 0, keys: new KeyRegistry({ 'child-1': KEY }) });
    try {
      const agent = start('agent', '--connect', `ws://127.0.0.1:${connector.address().port}`, '--guid', 'child-1', '--key-file', join(dir, 'agent.key'));
      await lineMatching(agent.stderr!, /^connected to ws:\/\/127\.0\.0\.1:\d+ as child-1$/);

      const host = new MockHost({ connector, env: {} });
      const rows = await host.query('sentry | fields guid | sentry-netstat timeout=10');
      const port = (listener.address() as { port: number }).port;
      expect(rows).toContainEqual(expect.objectContaining({ guid: 'child-1', pid: process.pid, protocol: 'tcp', local_port: port, state: 'LISTEN' }));

      agent.kill('SIGKILL');
      await exited(agent);
      const after = await host.query('sentry | fields guid | sentry-netstat timeout=10');
      expect(after).toHaveLength(1);
      expect(['not connected', 'disconnected']).toContain(after[0]!['_error']);
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
      const agent = startAgent({ url, guid: 'child-1', key: KEY, collect: () => [], onStatus: (s) => { statuses.push(s.state); if (s.state === 'connected') resolve(agent); } });
    });
    expect(good.connected).toBe(true);

    const bad = startAgent({ url, guid: 'child-1', key: 'w'.repeat(32), collect: () => [], backoff: () => 60_000 });
    expect(JSON.parse(await rejected)).toMatchObject({ event: 'rejected', guid: 'child-1' });
    await bad.stop();
    expect(good.connected).toBe(true);
    await good.stop();

    node.kill('SIGINT');
    expect(await exited(node)).toBe(0);
  });
});
