// Issue 11, item 2 ("before authentication, nothing is free"), in process on real loopback sockets: on each of the
// two ports (sentry, query) the caps on unauthenticated connections refuse the N+1st at once, an idle raw TCP
// socket is dropped at the deadline, and (sentry port) a 1 MiB frame before the hello is refused before
// it is buffered whole while an authenticated sentry's 10 MiB answer still gets through.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, type AgentHandle } from '../../src/agent/agent-client.js';
import { KeyRegistry } from '../../src/connector/key-registry.js';
import { WebSocketConnector } from '../../src/connector/websocket-connector.js';
import { QueryServer } from '../../src/remote/query-server.js';
import { createServer as createHttpServer } from 'node:http';
import type { PreAuthLogEvent } from '../../src/rpc/pre-auth-log.js';
import { frameHeader, rawUpgrade } from '../helpers/raw-websocket.js';

/** Prints a figure for the report when MEASURE=1 (never asserted). */
function measure(text: string): void {
  if (process.env['MEASURE']) process.stdout.write(`${text}\n`);
}
const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw TCP connection that sends nothing; `reply` is all the server wrote before it closed. */
function idleSocket(port: number): { socket: Socket; reply: Promise<string>; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  cleanups.push(() => socket.destroy());
  let text = '';
  socket.on('data', (d: Buffer) => {
    text += d.toString('latin1');
  });
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, reply: closed.then(() => text), closed };
}

/** Resolves true once `closed` settles, false after `ms` (a generous bound: the point is whether, not how fast). */
function closesWithin(closed: Promise<void>, ms: number): Promise<boolean> {
  return Promise.race([closed.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);
}

async function connectedAll(sockets: Socket[]): Promise<void> {
  await Promise.all(sockets.map((s) => new Promise((resolve) => (s.connecting ? s.once('connect', resolve) : resolve(undefined)))));
}

type Port = 'sentry' | 'query';
/** One of the two servers, with admission options and a handshake deadline; returns its port. */
async function serve(which: Port, admission: { total?: number; perSource?: number }, deadlineMs = 10_000, logs: PreAuthLogEvent[] = []) {
  const log = (event: PreAuthLogEvent): void => void logs.push(event);
  if (which === 'sentry') {
    const c = await WebSocketConnector.listen({ keys: new KeyRegistry({ g: 'k' }), admission, handshakeTimeoutMs: deadlineMs, log });
    cleanups.push(() => c.close());
    return c.address().port;
  }
  const start = () => ({ done: Promise.resolve({ reason: 'end' as const }), cancel: () => undefined });
  const q = await QueryServer.listen({ start, adminToken: 't'.repeat(24), admission, requestTimeoutMs: deadlineMs, log });
  cleanups.push(() => q.close());
  return q.address().port;
}

describe.each(['sentry', 'query'] as const)('the %s port before authentication', (which) => {
  it('refuses the 4th unauthenticated connection from one source at once (per-source cap 3), with a 503', async () => {
    const logs: PreAuthLogEvent[] = [];
    const port = await serve(which, { perSource: 3 }, 10_000, logs);
    const held = [idleSocket(port), idleSocket(port), idleSocket(port)];
    await connectedAll(held.map((h) => h.socket));
    await new Promise((resolve) => setTimeout(resolve, 50)); // the server has accepted them
    const started = performance.now();
    const fourth = idleSocket(port);
    expect(await closesWithin(fourth.closed, 5_000)).toBe(true);
    measure(`[measure] ${which} port: N+1st (per source) refused after ${(performance.now() - started).toFixed(1)} ms`);
    expect(await fourth.reply).toMatch(/^HTTP\/1\.1 503 [^]*too many unauthenticated connections from this source \(3\)/);
    // The three earlier ones are still held: the cap refused the newcomer, it did not drop anyone.
    expect(held.every((h) => !h.socket.destroyed && h.socket.readyState === 'open')).toBe(true);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'refused', remote_ip: '127.0.0.1' }));
    // Once one leaves, a new connection is admitted again.
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fifth = idleSocket(port);
    expect(await closesWithin(fifth.closed, 300)).toBe(false);
  });

  it('refuses the 4th unauthenticated connection of all sources at once (total cap 3)', async () => {
    const port = await serve(which, { total: 3, perSource: 100 });
    const held = [idleSocket(port), idleSocket(port), idleSocket(port)];
    await connectedAll(held.map((h) => h.socket));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const fourth = idleSocket(port);
    expect(await closesWithin(fourth.closed, 5_000)).toBe(true);
    expect(await fourth.reply).toMatch(/too many unauthenticated connections on this port \(3\)/);
    expect(held.every((h) => h.socket.readyState === 'open')).toBe(true);
  });

  it('drops a raw TCP connection that never upgrades at the handshake deadline', async () => {
    const logs: PreAuthLogEvent[] = [];
    const port = await serve(which, {}, 300, logs);
    const idle = idleSocket(port);
    // Generous: the deadline is 300 ms; without it the socket is held forever.
    expect(await closesWithin(idle.closed, 5_000)).toBe(true);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'handshake-timeout', remote_ip: '127.0.0.1' }));
  });

  it('releases an upgraded socket that never authenticates at the deadline (+1 s grace), even if it ignores the close', async () => {
    const port = await serve(which, {}, 300);
    const raw = rawUpgrade(port);
    expect(await raw.status).toBe('HTTP/1.1 101 Switching Protocols');
    // The raw client never answers the server's close frame; ws alone would keep the socket for 30 s.
    expect(await closesWithin(raw.closed, 8_000)).toBe(true);
  });
});

describe('the sentry port: a big frame before the hello, a big answer after it', () => {
  it('refuses a 1 MiB pre-auth frame before buffering it whole; an authenticated sentry still sends a 10 MiB answer', async () => {
    // The connector on a server the test owns, so the test can read what the server side read off each socket.
    const server = createHttpServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sockets: Socket[] = [];
    server.on('connection', (s: Socket) => sockets.push(s));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const logs: PreAuthLogEvent[] = [];
    const connector = await WebSocketConnector.listen({
      keys: new KeyRegistry({ big: 'key-of-big' }),
      server,
      log: (e) => void logs.push(e),
    });
    cleanups.push(() => connector.close());
    const port = connector.address().port;

    const raw = rawUpgrade(port);
    expect(await raw.status).toBe('HTTP/1.1 101 Switching Protocols');
    const MiB = 1024 * 1024;
    raw.socket.write(frameHeader(MiB));
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    for (let sent = 0; sent < MiB; sent += chunk.length) raw.socket.write(chunk);
    expect(await closesWithin(raw.closed, 5_000)).toBe(true);
    const serverSide = sockets[0]!;
    measure(`[measure] server read ${serverSide.bytesRead} bytes of the 1 MiB pre-auth frame before dropping it`);
    expect(serverSide.bytesRead).toBeLessThan(MiB);
    expect(logs).toContainEqual(expect.objectContaining({ event: 'oversize', remote_ip: '127.0.0.1' }));

    const answer = 'x'.repeat(10 * MiB);
    let agent: AgentHandle | undefined;
    await new Promise<void>((resolve) => {
      agent = startAgent({
        url: `ws://127.0.0.1:${port}`,
        guid: 'big',
        key: 'key-of-big',
        methods: { netstat: () => answer },
        backoff: () => 50,
        onStatus: (s) => s.state === 'connected' && resolve(),
      });
    });
    cleanups.push(() => agent?.stop());
    const got = await connector.call('big', 'netstat', {}, { timeoutMs: 30_000 });
    expect(typeof got === 'string' && got.length).toBe(10 * MiB);
  });
});

describe('the query port: the request is the greeting', () => {
  it('a query that does not fit the pre-auth budget is refused by the client, saying so; one that fits runs', async () => {
    const { runRemoteQuery } = await import('../../src/remote/remote-query.js');
    const port = await serve('query', {});
    const run = (query: string) =>
      runRemoteQuery({ url: `ws://127.0.0.1:${port}`, token: 't'.repeat(24), query, onRecord: () => undefined });
    await expect(run(`json "${'x'.repeat(9_000)}"`)).rejects.toThrow(
      /the query request is \d+ bytes; a node takes at most 8178 \(shorten the query\)/,
    );
    await expect(run(`json "${'x'.repeat(7_000)}"`)).resolves.toEqual({ reason: 'end' });
  });
});
