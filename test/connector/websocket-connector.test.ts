import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { netstatRows } from '../../src/commands/netstat-answer.js';
import { AGENT_METHODS } from '../../src/plugin.js';
import { SentryRpcError } from '../../src/runtime/sentry-connector.js';
import { closed, deferred, Loopback, nextMessage } from './loopback.js';

const CALL = { timeoutMs: 5_000 } as const;
const CONNECTION = {
  pid: 42,
  protocol: 'tcp',
  local_ip: '127.0.0.1',
  local_port: 22,
  remote_ip: '10.0.0.9',
  remote_port: 51000,
  state: 'ESTABLISHED',
};

let loop: Loopback;
beforeEach(() => {
  loop = new Loopback();
});
afterEach(() => loop.cleanup());

/** Fails unless `promise` rejects with a SentryRpcError of `kind`. */
async function rejectsWith(promise: Promise<unknown>, kind: SentryRpcError['kind'], message?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SentryRpcError);
  expect((error as SentryRpcError).kind).toBe(kind);
  if (message !== undefined) expect((error as Error).message).toBe(message);
}

/** Calls `guid`, marking the promise handled at once (tests await it later, after other awaits). */
function call(guid: string, options: { timeoutMs: number; signal?: AbortSignal } = CALL, method = 'netstat'): Promise<unknown> {
  const promise = loop.connector.call(guid, method, {}, options);
  promise.catch(() => undefined);
  return promise;
}

/** The bystander sentry still answers. */
async function bystanderServed(): Promise<void> {
  await expect(loop.connector.call('good-2', 'netstat', {}, CALL)).resolves.toEqual([CONNECTION]);
}

describe('WebSocketConnector: serving', () => {
  it('an agent answers netstat through call(), and list() describes it', async () => {
    await loop.start();
    await loop.agent('good-1', { methods: { netstat: () => [CONNECTION] } });
    await expect(loop.connector.call('good-1', 'netstat', {}, CALL)).resolves.toEqual([CONNECTION]);
    const [info] = loop.connector.list();
    expect(info).toMatchObject({ guid: 'good-1', connected: true, hostname: 'good-1.example', os: 'linux test', remote_ip: '127.0.0.1' });
    expect(info?.connected_at).toBeInstanceOf(Date);
  });

  it("AGENT_METHODS answers with this host's connections, a valid netstat answer", async () => {
    await loop.start();
    await loop.agent('good-1', { methods: AGENT_METHODS });
    const answer = await loop.connector.call('good-1', 'netstat', {}, CALL);
    expect(() => netstatRows('good-1', answer)).not.toThrow();
  });

  it('a guid that never connected is not connected; list() names every guid with a key, in the keys order', async () => {
    await loop.start();
    await rejectsWith(loop.connector.call('good-1', 'netstat', {}, CALL), 'not-connected', 'not connected');
    expect(loop.connector.list()).toEqual([
      { guid: 'good-1', connected: false },
      { guid: 'good-2', connected: false },
      { guid: 'victim', connected: false },
    ]);
  });

  it('last_seen is now for a connected sentry and when its link went down for one that left', async () => {
    await loop.start();
    const agent = await loop.agent('good-1');
    const before = Date.now();
    const connected = loop.connector.list().find((s) => s.guid === 'good-1')!;
    expect(connected.connected).toBe(true);
    expect(connected.last_seen!.getTime()).toBeGreaterThanOrEqual(before);
    await agent.stop();
    await expect.poll(() => loop.connector.list().find((s) => s.guid === 'good-1')?.connected).toBe(false);
    const left = loop.connector.list().find((s) => s.guid === 'good-1')!;
    const seen = left.last_seen!.getTime();
    expect(seen).toBeGreaterThanOrEqual(connected.last_seen!.getTime());
    // It stays the time it left, however much later the list is read.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(
      loop.connector
        .list()
        .find((s) => s.guid === 'good-1')!
        .last_seen!.getTime(),
    ).toBe(seen);
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: 'sentry-connected', guid: 'good-1', remote_ip: '127.0.0.1' }));
    expect(loop.logs).toContainEqual(
      expect.objectContaining({ event: 'sentry-disconnected', guid: 'good-1', remote_ip: '127.0.0.1', connected_ms: expect.any(Number) }),
    );
  });

  it("the sentry's exception and an unknown method come back as remote errors", async () => {
    await loop.start();
    await loop.agent('good-1', {
      methods: {
        netstat: () => {
          throw new Error('permission denied reading /proc');
        },
      },
    });
    await rejectsWith(loop.connector.call('good-1', 'netstat', {}, CALL), 'remote', 'permission denied reading /proc');
    await rejectsWith(loop.connector.call('good-1', 'reboot', {}, CALL), 'remote', 'Method not found');
  });

  it('serves several sentries at once', async () => {
    await loop.start();
    await loop.agent('good-1', { methods: { netstat: () => ['one'] } });
    await loop.agent('good-2', { methods: { netstat: () => ['two'] } });
    const answers = await Promise.all(['good-1', 'good-2', 'good-1'].map((g) => loop.connector.call(g, 'netstat', {}, CALL)));
    expect(answers).toEqual([['one'], ['two'], ['one']]);
  });
});

describe('WebSocketConnector: authentication and bad frames', () => {
  beforeEach(async () => {
    await loop.start({ maxPayload: 4096, handshakeTimeoutMs: 200 });
    await loop.agent('good-2', { methods: { netstat: () => [CONNECTION] } });
  });

  it('rejects a wrong key, telling the sentry only that authentication failed', async () => {
    const ws = await loop.raw();
    await loop.hello(ws, 'good-1', 'not-the-key');
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'authentication failed' });
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: 'rejected', detail: 'wrong-key', guid: 'good-1' }));
    await rejectsWith(loop.connector.call('good-1', 'netstat', {}, CALL), 'not-connected');
    await bystanderServed();
  });

  it('rejects an unknown guid', async () => {
    const ws = await loop.raw();
    await loop.hello(ws, 'stranger', 'whatever');
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'authentication failed' });
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: 'rejected', detail: 'unknown-guid', guid: 'stranger' }));
    expect(loop.connector.list().map((s) => s.guid)).toEqual(['good-1', 'good-2', 'victim']);
    expect(
      loop.connector
        .list()
        .filter((s) => s.connected)
        .map((s) => s.guid),
    ).toEqual(['good-2']);
    await bystanderServed();
  });

  it('a hijack attempt (wrong key for a connected guid) is rejected and the live link keeps serving', async () => {
    await loop.agent('victim', { methods: { netstat: () => ['real'] } });
    const ws = await loop.raw();
    await loop.hello(ws, 'victim', 'guessed');
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'authentication failed' });
    await expect(loop.connector.call('victim', 'netstat', {}, CALL)).resolves.toEqual(['real']);
    await bystanderServed();
  });

  it('closes a socket that never says hello by the deadline', async () => {
    const ws = await loop.raw();
    expect(await closed(ws)).toEqual({ code: 1008, reason: 'handshake timeout' });
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: 'handshake-timeout', remote_ip: '127.0.0.1' }));
    await bystanderServed();
  });

  it('closes a socket that sends an oversize frame', async () => {
    const ws = await loop.raw();
    ws.send(JSON.stringify({ type: 'hello', guid: 'good-1', proof: 'x'.repeat(43), hostname: 'x'.repeat(10_000) }));
    expect((await closed(ws)).code).toBe(1009);
    // ws refuses the frame (socket-error) and the byte budget trips (oversize); the first is logged at once.
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: expect.stringMatching(/^(socket-error|oversize)$/) }));
    await bystanderServed();
  });

  it('an oversize answer drops that link: its call is disconnected', async () => {
    await loop.agent('good-1', { methods: { netstat: () => ['y'.repeat(10_000)] }, backoff: () => 60_000 });
    await rejectsWith(loop.connector.call('good-1', 'netstat', {}, CALL), 'disconnected');
    await bystanderServed();
  });

  it.each([
    ['non-JSON', 'hello?'],
    ['a schema-violating hello', JSON.stringify({ type: 'hello', guid: 7, proof: 'k' })],
    ['a hello with a key instead of a proof (the old protocol)', JSON.stringify({ type: 'hello', guid: 'good-1', key: 'key-of-good-1' })],
    ['a JSON-RPC frame instead of hello', JSON.stringify({ jsonrpc: '2.0', id: 1, result: [] })],
  ])('closes a socket that sends %s first', async (_name, frame) => {
    const ws = await loop.raw();
    ws.send(frame);
    expect(await closed(ws)).toEqual({ code: 1007, reason: 'malformed frame' });
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: 'malformed-frame' }));
    await bystanderServed();
  });

  it.each([
    ['non-JSON', '{"jsonrpc":'],
    ['a schema-violating response', JSON.stringify({ jsonrpc: '1.0', id: 1, result: [] })],
    ['a second hello', JSON.stringify({ type: 'hello', guid: 'good-1', proof: 'p'.repeat(43) })],
  ])('closes an authenticated link that sends %s; its calls are disconnected', async (_name, frame) => {
    const ws = await loop.rawSentry('good-1');
    const request = nextMessage(ws);
    const pending = call('good-1');
    expect(await request).toMatchObject({ jsonrpc: '2.0', method: 'netstat' });
    const closing = closed(ws);
    ws.send(frame);
    await rejectsWith(pending, 'disconnected');
    expect(await closing).toEqual({ code: 1007, reason: 'malformed frame' });
    expect(loop.connector.list().find((s) => s.guid === 'good-1')?.connected).toBe(false);
    await bystanderServed();
  });
});

describe('WebSocketConnector: faults', () => {
  beforeEach(() => loop.start({ pingIntervalMs: 0 }).then(() => undefined));

  it("the agent's socket destroyed mid-call: disconnected", async () => {
    const asked = deferred();
    const agent = await loop.agent('good-1', {
      methods: {
        netstat: () => {
          asked.resolve();
          return new Promise(() => undefined);
        },
      },
      backoff: () => 60_000,
    });
    const pending = call('good-1');
    await asked.promise;
    agent.drop();
    await rejectsWith(pending, 'disconnected', 'disconnected');
  });

  it('an agent that never answers: timeout', async () => {
    await loop.agent('good-1', { methods: { netstat: () => new Promise(() => undefined) } });
    await rejectsWith(loop.connector.call('good-1', 'netstat', {}, { timeoutMs: 50 }), 'timeout', 'timeout');
    // The link survives a timeout.
    expect(loop.connector.list()[0]?.connected).toBe(true);
  });

  it('the agent reconnects after its link drops and is served again', async () => {
    const statuses: string[] = [];
    const reconnected = deferred();
    let welcomes = 0;
    const agent = await loop.agent('good-1', {
      methods: { netstat: () => ['back'] },
      onStatus: (s) => {
        statuses.push(s.state);
        if (s.state === 'connected' && ++welcomes === 2) reconnected.resolve();
      },
    });
    agent.drop();
    await reconnected.promise;
    expect(statuses).toEqual(['connecting', 'connected', 'disconnected', 'connecting', 'connected']);
    await expect(loop.connector.call('good-1', 'netstat', {}, CALL)).resolves.toEqual(['back']);
  });

  it("abort rejects with the signal's reason; an aborted-before signal never sends", async () => {
    const asked = deferred();
    await loop.agent('good-1', {
      methods: {
        netstat: () => {
          asked.resolve();
          return new Promise(() => undefined);
        },
      },
    });
    const controller = new AbortController();
    const pending = call('good-1', { timeoutMs: 60_000, signal: controller.signal });
    await asked.promise;
    controller.abort();
    await expect(pending).rejects.toBe(controller.signal.reason);
    await expect(loop.connector.call('good-1', 'netstat', {}, { timeoutMs: 60_000, signal: controller.signal })).rejects.toBe(
      controller.signal.reason,
    );
  });

  it("a newer valid hello replaces a link that does not answer a ping: the old link's calls are disconnected", async () => {
    // The old link is dead to the connector's ping (a network drop it has not noticed yet): no pong comes.
    const old = await loop.rawSentry('good-1', { autoPong: false });
    const request = nextMessage(old);
    const pending = call('good-1');
    await request;
    await loop.agent('good-1', { methods: { netstat: () => ['from the new link'] } });
    await rejectsWith(pending, 'disconnected');
    expect(loop.logs).toContainEqual(expect.objectContaining({ event: 'replaced', guid: 'good-1' }));
    await expect(call('good-1')).resolves.toEqual(['from the new link']);
  });

  it('close() drops every link: calls in flight are disconnected, later calls not connected', async () => {
    const asked = deferred();
    await loop.agent('good-1', {
      methods: {
        netstat: () => {
          asked.resolve();
          return new Promise(() => undefined);
        },
      },
      backoff: () => 60_000,
    });
    const pending = call('good-1');
    await asked.promise;
    await loop.connector.close();
    await rejectsWith(pending, 'disconnected');
    await rejectsWith(loop.connector.call('good-1', 'netstat', {}, CALL), 'not-connected');
    expect(loop.connector.list()[0]?.connected).toBe(false);
  });
});

describe('WebSocketConnector: liveness', () => {
  it('a link that misses a pong is terminated and its calls are disconnected', async () => {
    await loop.start({ pingIntervalMs: 30 });
    const ws = await loop.rawSentry('good-1', { autoPong: false });
    const closing = closed(ws);
    const request = nextMessage(ws);
    const pending = call('good-1');
    await request;
    await rejectsWith(pending, 'disconnected');
    expect((await closing).code).toBe(1006);
    expect(loop.connector.list()[0]?.connected).toBe(false);
  });

  it('a link that answers pings stays up across many ping periods', async () => {
    await loop.start({ pingIntervalMs: 100 });
    const asked = deferred();
    let answer!: () => void;
    await loop.agent('good-1', {
      methods: {
        netstat: () =>
          new Promise((resolve) => {
            answer = () => resolve(['late']);
            asked.resolve();
          }),
      },
    });
    const pending = call('good-1');
    await asked.promise;
    // Several ping rounds pass while the call is pending; the agent's automatic pongs keep the link up.
    // (The period is generous so a stalled event loop under load cannot pass for a missed pong.)
    await new Promise((resolve) => setTimeout(resolve, 450));
    answer();
    await expect(pending).resolves.toEqual(['late']);
    expect(loop.connector.list()[0]?.connected).toBe(true);
  });
});
