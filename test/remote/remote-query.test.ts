// runRemoteQuery against nodes that misbehave or consumers that fail: it settles, and never takes the process down.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { QueryServer, RemoteQueryError, runRemoteQuery, type StartQuery } from '../../src/remote/index.js';
import { HANDSHAKE_DEADLINE_MS, QUERY_RESPONSE_FRAME_LIMIT_BYTES } from '../../src/rpc/limits.js';

const TOKEN = 'remote-query-test-token';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A query node (QueryServer) running `start`; its URL. */
async function queryNode(start: StartQuery): Promise<string> {
  const server = await QueryServer.listen({ start, adminToken: TOKEN });
  cleanups.push(() => server.close());
  return `ws://127.0.0.1:${server.address().port}`;
}

/**
 * A fake node: it completes the WebSocket upgrade by hand, then hands the raw socket to `afterUpgrade` (which
 * may write raw frames, or nothing at all). `upgraded` resolves once it has answered an upgrade.
 */
async function rawNode(afterUpgrade: (socket: Duplex) => void): Promise<{ url: string; upgraded: Promise<void> }> {
  const sockets = new Set<Duplex>();
  const server: Server = createServer();
  let upgradedNow: () => void = () => undefined;
  const upgraded = new Promise<void>((resolve) => (upgradedNow = resolve));
  server.on('upgrade', (request, socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    const accept = createHash('sha1')
      .update(`${String(request.headers['sec-websocket-key'])}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    afterUpgrade(socket);
    upgradedNow();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, upgraded };
}

describe('runRemoteQuery', () => {
  it('resolves cancel for a signal aborted before it starts, without opening a socket', async () => {
    let upgrades = 0;
    const { url } = await rawNode(() => upgrades++);
    const controller = new AbortController();
    controller.abort();
    const outcome = await runRemoteQuery({ url, token: TOKEN, query: 'q', onRecord: () => undefined, signal: controller.signal });
    expect(outcome).toEqual({ reason: 'cancel' });
    // A socket closed while connecting emits 'error' on a later tick: without a listener it would end the process,
    // which vitest reports as an uncaught error of this test. Give it the time to happen.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upgrades).toBe(0);
  });

  it('rejects with the error of an onRecord that rejects, and drops the socket (which cancels the query)', async () => {
    let cancelled = false;
    let cancel: () => void = () => undefined;
    const url = await queryNode((_query, { onRecord }) => {
      const stopped = new Promise<void>((resolve) => (cancel = resolve));
      const done = (async () => {
        await onRecord({ n: 1 });
        // The node would go on until cancelled: only the client's giving up ends this query.
        await stopped;
        return { reason: 'cancel' as const };
      })();
      return {
        done,
        cancel: () => {
          cancelled = true;
          cancel();
        },
      };
    });
    const failure = new Error('consumer failed (e.g. EPIPE on its output)');
    let calls = 0;
    const outcome = runRemoteQuery({
      url,
      token: TOKEN,
      query: 'q',
      onRecord: () => {
        calls++;
        return Promise.reject(failure);
      },
    });
    await expect(outcome).rejects.toBe(failure);
    expect(calls).toBe(1);
    await expect.poll(() => cancelled, { timeout: 5_000 }).toBe(true);
  });

  it('rejects with the error of an onRecord that throws', async () => {
    const url = await queryNode((_query, { onRecord }) => ({
      done: (async () => {
        for (let n = 0; n < 3; n++) await onRecord({ n });
        return { reason: 'end' as const };
      })(),
      cancel: () => undefined,
    }));
    const failure = new Error('sync failure');
    const outcome = runRemoteQuery({
      url,
      token: TOKEN,
      query: 'q',
      onRecord: () => {
        throw failure;
      },
    });
    await expect(outcome).rejects.toBe(failure);
  });

  it('gives up on a node that upgrades but never sends its challenge, after handshakeTimeoutMs', async () => {
    const { url } = await rawNode(() => undefined);
    const outcome = runRemoteQuery({ url, token: TOKEN, query: 'q', onRecord: () => undefined, handshakeTimeoutMs: 200 });
    await expect(outcome).rejects.toThrow(new RemoteQueryError('the node sent no challenge within 0.2 s'));
  });

  it('waits HANDSHAKE_DEADLINE_MS for the challenge by default', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { url, upgraded } = await rawNode(() => undefined);
    let settled = false;
    const outcome = runRemoteQuery({ url, token: TOKEN, query: 'q', onRecord: () => undefined });
    void outcome.then(
      () => (settled = true),
      () => (settled = true),
    );
    await upgraded;
    await vi.advanceTimersByTimeAsync(HANDSHAKE_DEADLINE_MS - 1);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(outcome).rejects.toThrow(/^(the node sent no challenge|cannot reach .*: no WebSocket connection) within 10 s$/);
  });

  it('refuses a frame larger than QUERY_RESPONSE_FRAME_LIMIT_BYTES from its header', async () => {
    // A text frame header announcing one byte over the limit (which is under ws's own default of 100 MiB).
    const length = QUERY_RESPONSE_FRAME_LIMIT_BYTES + 1;
    const header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(length), 2);
    const { url } = await rawNode((socket) => {
      socket.write(header);
      // Nothing more: a client that waited for the payload would see the connection close instead.
      setTimeout(() => socket.end(), 100);
    });
    const outcome = runRemoteQuery({ url, token: TOKEN, query: 'q', onRecord: () => undefined });
    await expect(outcome).rejects.toThrow(
      new RemoteQueryError(`the node sent a frame larger than ${QUERY_RESPONSE_FRAME_LIMIT_BYTES / 1024 / 1024} MiB`),
    );
  });
});
