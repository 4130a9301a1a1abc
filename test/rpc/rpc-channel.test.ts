import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JsonText } from '../../src/rpc/json-text.js';
import { RpcChannel } from '../../src/rpc/rpc-channel.js';
import type { RpcHandlers } from '../../src/rpc/rpc-handlers.js';
import { SentryRpcError } from '../../src/runtime/sentry-connector.js';
import { FakePort } from './fake-port.js';

const CALL = { timeoutMs: 1_000 } as const;

/** What `promise` settled with, once it has. */
function outcome(promise: Promise<unknown>): { value?: unknown; error?: unknown; settled: boolean } {
  const state: { value?: unknown; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

let port: FakePort;
let channel: RpcChannel;
beforeEach(() => {
  vi.useFakeTimers();
  port = new FakePort();
  channel = new RpcChannel(port);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RpcChannel: calls', () => {
  it('sends a JSON-RPC request and resolves with the matching result; no timer is left', async () => {
    const call = outcome(channel.call('netstat', { a: 1 }, CALL));
    expect(port.frames()).toEqual([{ jsonrpc: '2.0', id: 1, method: 'netstat', params: { a: 1 } }]);
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, result: ['x'] }));
    await vi.runAllTimersAsync();
    expect(call).toEqual({ value: ['x'], settled: true });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times out with kind timeout; a late answer is ignored; no timer is left', async () => {
    const call = outcome(channel.call('netstat', {}, CALL));
    await vi.advanceTimersByTimeAsync(999);
    expect(call.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((call.error as SentryRpcError).kind).toBe('timeout');
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'late' }));
    await vi.runAllTimersAsync();
    expect((call.error as SentryRpcError).kind).toBe('timeout');
    expect(vi.getTimerCount()).toBe(0);
  });

  it("abort rejects with the signal's reason and releases the timer; an aborted signal never sends", async () => {
    const controller = new AbortController();
    const call = outcome(channel.call('netstat', {}, { ...CALL, signal: controller.signal }));
    controller.abort(new Error('cancelled'));
    await vi.runAllTimersAsync();
    expect((call.error as Error).message).toBe('cancelled');
    expect(vi.getTimerCount()).toBe(0);
    await expect(channel.call('netstat', {}, { ...CALL, signal: controller.signal })).rejects.toBe(controller.signal.reason);
    expect(port.sent).toHaveLength(1);
  });

  it('failAll fails every pending call with that kind and releases their timers; the channel stays usable', async () => {
    const calls = [outcome(channel.call('a', {}, CALL)), outcome(channel.call('b', {}, CALL))];
    channel.failAll('node-unreachable');
    await vi.runAllTimersAsync();
    expect(calls.map((c) => (c.error as SentryRpcError).kind)).toEqual(['node-unreachable', 'node-unreachable']);
    expect(vi.getTimerCount()).toBe(0);
    const next = outcome(channel.call('c', {}, CALL));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 3, result: 'c' }));
    await vi.runAllTimersAsync();
    expect(next.value).toBe('c');
  });

  it('end() fails pending calls with disconnected, and later calls too', async () => {
    const call = outcome(channel.call('a', {}, CALL));
    channel.end();
    await vi.runAllTimersAsync();
    expect((call.error as SentryRpcError).kind).toBe('disconnected');
    await expect(channel.call('b', {}, CALL)).rejects.toMatchObject({ kind: 'disconnected' });
    expect(channel.open).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a send that throws fails the call with disconnected and leaves no timer', async () => {
    port.close(1000, 'gone');
    await expect(channel.call('a', {}, CALL)).rejects.toMatchObject({ kind: 'disconnected' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never reuses an id: an answer meant for an ended call cannot settle a newer one', async () => {
    const first = outcome(channel.call('a', {}, { timeoutMs: 10 }));
    await vi.advanceTimersByTimeAsync(10);
    const second = outcome(channel.call('b', {}, CALL));
    expect(port.frames().map((f) => f['id'])).toEqual([1, 2]);
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, result: 'for the first' }));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 'x', result: 'unknown id' }));
    await vi.advanceTimersByTimeAsync(0);
    expect((first.error as SentryRpcError).kind).toBe('timeout');
    expect(second.settled).toBe(false);
    expect(port.closed).toBeUndefined();
    channel.end();
    await vi.runAllTimersAsync();
  });

  it("the peer's error is remote with its message, whatever kind its data claims", async () => {
    const call = outcome(channel.call('a', {}, CALL));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: 0, message: 'boom', data: { kind: 'timeout' } } }));
    await vi.runAllTimersAsync();
    expect(call.error).toMatchObject({ kind: 'remote', message: 'boom' });
  });
});

describe('RpcChannel: frames that break the protocol', () => {
  it.each([
    ['non-JSON', '{"jsonrpc":'],
    ['a schema-violating response', JSON.stringify({ jsonrpc: '1.0', id: 1, result: [] })],
    ['a request to a side that serves nothing', JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'netstat' })],
  ])('%s closes the port with 1007 and fails pending calls with disconnected', async (_name, frame) => {
    const violations: string[] = [];
    channel = new RpcChannel(port, { onViolation: (detail) => violations.push(detail) });
    const call = outcome(channel.call('a', {}, CALL));
    channel.receive(frame);
    await vi.runAllTimersAsync();
    expect(port.closed).toEqual({ code: 1007, reason: 'malformed frame' });
    expect(violations).toHaveLength(1);
    expect((call.error as SentryRpcError).kind).toBe('disconnected');
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('RpcChannel: serving', () => {
  it('answers from its handlers; other methods get method-not-found; notifications get nothing', async () => {
    channel = new RpcChannel(port, { handlers: { echo: (params) => params, nothing: () => undefined } });
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'echo', params: { a: 1 } }));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'nothing' }));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'reboot' }));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', method: 'echo', params: {} }));
    await vi.runAllTimersAsync();
    // Answers go out as they are ready, not in request order.
    expect(port.frames().sort((a, b) => Number(a['id']) - Number(b['id']))).toEqual([
      { jsonrpc: '2.0', id: 1, result: { a: 1 } },
      { jsonrpc: '2.0', id: 2, result: null },
      { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } },
    ]);
  });

  it('a JsonText result is sent as is; methodNotFound words the unknown method', async () => {
    channel = new RpcChannel(port, {
      handlers: { netstat: () => new JsonText('[{"pid":1}]') },
      methodNotFound: (m) => `unknown method ${m}`,
    });
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'netstat' }));
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 'b', method: 'uptime' }));
    await vi.runAllTimersAsync();
    expect(port.sent).toContain('{"jsonrpc":"2.0","id":"a","result":[{"pid":1}]}');
    expect(port.frames().find((f) => f['id'] === 'b')).toMatchObject({ error: { code: -32601, message: 'unknown method uptime' } });
  });

  it('a handler still running when the channel ends is aborted, and its answer is not sent', async () => {
    let seen: AbortSignal | undefined;
    channel = new RpcChannel(port, {
      handlers: {
        slow: (_p, signal) => {
          seen = signal;
          return new Promise((r) => setTimeout(() => r('late'), 100));
        },
      },
    });
    channel.receive(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'slow' }));
    channel.end();
    expect(seen?.aborted).toBe(true);
    await vi.runAllTimersAsync();
    expect(port.sent).toEqual([]);
  });
});

describe('RpcChannel: a data node relaying failures to the control node', () => {
  /** A control channel (trusting kinds) and a data-node channel serving `handlers`, wired back to back. */
  function pair(handlers: RpcHandlers): RpcChannel {
    const controlPort = new FakePort();
    const nodePort = new FakePort();
    const control = new RpcChannel(controlPort, { trustFailureKinds: true });
    const node = new RpcChannel(nodePort, { handlers });
    controlPort.peer = (text) => node.receive(text);
    nodePort.peer = (text) => control.receive(text);
    return control;
  }

  it.each(['timeout', 'not-connected', 'disconnected', 'remote'] as const)(
    'a %s on the data node is the same kind on the control node',
    async (kind) => {
      const control = pair({
        call: () => {
          throw new SentryRpcError(kind, kind === 'remote' ? 'boom' : undefined);
        },
      });
      const call = outcome(control.call('call', {}, CALL));
      await vi.runAllTimersAsync();
      expect((call.error as SentryRpcError).kind).toBe(kind);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  it("node-unreachable keeps the node's message", async () => {
    const control = pair({
      call: () => {
        throw SentryRpcError.nodeUnreachable('dn7');
      },
    });
    await expect(control.call('call', {}, CALL)).rejects.toMatchObject({ kind: 'node-unreachable', message: 'node dn7 is unreachable' });
  });
});
