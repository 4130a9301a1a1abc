import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSimulate } from '../../src/cli/run-simulate.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import { simulatedCredentials } from '../../src/simulator/fleet-keys.js';

const credentials = simulatedCredentials(20);
let dir: string;
let keysFile: string;
let connector: WebSocketConnector;

function io(signal?: AbortSignal): { io: Parameters<typeof runSimulate>[1]; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
  });
  stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString('utf8');
  });
  return { io: { stdout, stderr, ...(signal && { signal }) }, out: () => out, err: () => err };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simulate-'));
  keysFile = join(dir, 'keys.json');
  await writeFile(keysFile, JSON.stringify(Object.fromEntries(credentials.map((c) => [c.guid, c.key]))), { mode: 0o600 });
  connector = await WebSocketConnector.listen({ keys: new KeyRegistry(credentials.map((c) => [c.guid, c.key] as const)) });
});

afterEach(async () => {
  await connector.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sentry-query simulate', () => {
  it('connects the first N guids, says so in one line, and stops on abort with exit 0', async () => {
    const controller = new AbortController();
    const cli = io(controller.signal);
    const url = `ws://127.0.0.1:${connector.address().port}`;
    const exit = runSimulate(
      ['--connect', url, '--keys', keysFile, '--count', '10', '--latency-ms', '1', '--timeout-fraction', '0.1'],
      cli.io,
    );
    await vi.waitFor(() => expect(cli.err()).toContain('connected'), { timeout: 10_000 });
    expect(cli.err()).toBe(`10 simulated sentries connected to ${url} (1 timeout, 0 disconnect, 0 garbage); interrupt to stop\n`);
    expect(
      connector
        .list()
        .filter((s) => s.connected)
        .map((s) => s.guid)
        .sort(),
    ).toEqual(credentials.slice(0, 10).map((c) => c.guid));
    const healthy = connector.list().find((s) => s.connected)!.guid;
    await expect(connector.call(healthy, 'netstat', {}, { timeoutMs: 5_000 })).resolves.toHaveLength(3);
    controller.abort();
    await expect(exit).resolves.toBe(0);
    await vi.waitFor(() => expect(connector.list().filter((s) => s.connected)).toEqual([]));
  });

  it('fails with exit 1 on bad usage, a bad keys file, or sentries that cannot connect', async () => {
    const url = `ws://127.0.0.1:${connector.address().port}`;
    const missing = io();
    await expect(runSimulate(['--connect', url], missing.io)).resolves.toBe(1);
    expect(missing.err()).toMatch(/--keys/);

    const badFraction = io();
    await expect(
      runSimulate(['--connect', url, '--keys', keysFile, '--timeout-fraction', '0.7', '--garbage-fraction', '0.7'], badFraction.io),
    ).resolves.toBe(1);
    expect(badFraction.err()).toMatch(/more than 1/);

    const tooMany = io();
    await expect(runSimulate(['--connect', url, '--keys', keysFile, '--count', '21'], tooMany.io)).resolves.toBe(1);
    expect(tooMany.err()).toBe(`error: --count 21 but ${keysFile} holds 20 guids\n`);

    const notFound = io();
    await expect(runSimulate(['--connect', url, '--keys', join(dir, 'nope.json')], notFound.io)).resolves.toBe(1);
    expect(notFound.err()).toMatch(/cannot read the keys file \(ENOENT\)/);

    const wrongKeys = join(dir, 'wrong.json');
    await writeFile(wrongKeys, JSON.stringify({ stranger: 'a key of sixteen characters' }), { mode: 0o600 });
    const refused = io(new AbortController().signal);
    await expect(runSimulate(['--connect', url, '--keys', wrongKeys], refused.io)).resolves.toBe(1);
    expect(refused.err()).toMatch(/^error: 1 of 1 simulated sentries could not connect/);
  });
});
