// Issue 11, item 5 ("a hostile node"): an agent refuses an oversize request frame (a real agent process), runs
// one collection for N concurrent calls, and collects at most once per interval however often it is called.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { challengeText, newNonce } from '../../src/rpc/challenge.js';
import { Loopback } from '../connector/loopback.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('an agent process facing a hostile node', () => {
  it('closes the link (1009) on a 64 KiB request frame instead of reading it, and comes back with a new hello', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agent-limits-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'agent.key'), 'a-key-of-sixteen-chars-or-more\n', { mode: 0o600 });
    // A fake node: challenges, welcomes every hello, then sends one oversize JSON-RPC request on the first link.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(resolve)));
    const hellos: string[] = [];
    const firstClose = new Promise<{ code: number; answered: boolean }>((resolve) => {
      wss.on('connection', (ws: WebSocket) => {
        let answered = false;
        ws.send(challengeText(newNonce()));
        ws.on('message', (data) => {
          const frame = JSON.parse(data.toString()) as { type?: string };
          if (frame.type === 'hello') {
            hellos.push(data.toString());
            ws.send(JSON.stringify({ type: 'welcome' }));
            if (hellos.length === 1)
              ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'netstat', params: { pad: 'x'.repeat(64 * 1024) } }));
          } else answered = true;
        });
        ws.once('close', (code) => hellos.length === 1 && resolve({ code, answered }));
      });
    });
    const { port } = wss.address() as { port: number };
    const agent: ChildProcess = spawn(
      process.execPath,
      [bin, 'agent', '--connect', `ws://127.0.0.1:${port}`, '--key-file', join(dir, 'agent.key'), '--guid', 'victim'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    cleanups.push(() => agent.kill('SIGKILL'));
    expect(await firstClose).toEqual({ code: 1009, answered: false });
    // The agent process is alive and reconnects (bounded wait for its second hello).
    for (let i = 0; i < 100 && hellos.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hellos.length).toBeGreaterThanOrEqual(2);
    expect(agent.exitCode).toBeNull();
  }, 30_000);
});

describe('agent collections over a real link', () => {
  it('20 concurrent netstat calls run one collection; every caller gets its result', async () => {
    const loop = new Loopback();
    cleanups.push(() => loop.cleanup());
    await loop.start();
    let collections = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await loop.agent('good-1', {
      methods: {
        netstat: async () => {
          collections++;
          await gate;
          return [{ n: collections }];
        },
      },
    });
    const calls = Array.from({ length: 20 }, () => loop.connector.call('good-1', 'netstat', {}, { timeoutMs: 10_000 }));
    await new Promise((resolve) => setTimeout(resolve, 100)); // all 20 requests are at the agent
    release();
    const answers = await Promise.all(calls);
    expect(collections).toBe(1);
    expect(answers).toEqual(Array.from({ length: 20 }, () => [{ n: 1 }]));
  });

  it('collects at most once per interval: calls within it get the last result, the next after it collects again', async () => {
    const loop = new Loopback();
    cleanups.push(() => loop.cleanup());
    await loop.start();
    let clock = 1_000_000;
    let collections = 0;
    await loop.agent('good-1', {
      methods: { netstat: () => [{ n: ++collections }] },
      collections: { intervalMs: 1_000, now: () => clock },
    });
    const call = () => loop.connector.call('good-1', 'netstat', {}, { timeoutMs: 10_000 });
    for (let i = 0; i < 50; i++) expect(await call()).toEqual([{ n: 1 }]); // a bounded burst, all within the interval
    clock += 999;
    expect(await call()).toEqual([{ n: 1 }]);
    clock += 1;
    expect(await call()).toEqual([{ n: 2 }]);
    expect(collections).toBe(2);
  });
});
