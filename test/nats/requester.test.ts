import { headers, type Msg } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NATS_ACK_WAIT_MS, NATS_RECONNECT_GRACE_MS } from '../../src/rpc/limits.js';
import { NatsRequester, type NatsReply, type NatsRequestOptions } from '../../src/nats/requester.js';
import { REPLY_HEADER } from '../../src/nats/wire.js';
import { FakeNats, flushMicrotasks, tick, useNatsFakeTimers } from '../helpers/fake-nats.js';

const SUBJECT = 'sentry.web-01.netstat';
const BODY = Buffer.from('{"params":{},"timeoutMs":5000}');

let nats: FakeNats;
let requester: NatsRequester;
/** Requests that reached the (test's) responder, in order. */
let requests: Msg[];

beforeEach(() => {
  useNatsFakeTimers();
  nats = new FakeNats();
  requester = new NatsRequester(nats.nc, { unreachable: () => new Error('cluster unreachable') });
  requests = [];
  nats.subscribe('sentry.web-01.*', { callback: (_error, msg) => void requests.push(msg) });
});

afterEach(() => {
  requester.close();
  vi.useRealTimers();
});

const options = (over: Partial<NatsRequestOptions> = {}): NatsRequestOptions => ({
  timeoutMs: 60_000,
  limitBytes: 64 * 1024,
  onNoResponders: () => new Error('not connected'),
  onTimeout: () => new Error('timeout'),
  onMalformed: (detail) => new Error(`malformed: ${detail}`),
  ...over,
});

/** A request's outcome, readable at any time (and never an unhandled rejection). */
function track(promise: Promise<NatsReply>): { done: boolean; reply?: NatsReply; error?: unknown } {
  const state: { done: boolean; reply?: NatsReply; error?: unknown } = { done: false };
  promise.then(
    (reply) => Object.assign(state, { done: true, reply }),
    (error: unknown) => Object.assign(state, { done: true, error }),
  );
  return state;
}

function label(to: Msg, text: string, data: string | Uint8Array = ''): void {
  const h = headers();
  h.set(REPLY_HEADER, text);
  nats.publish(to.reply!, data, { headers: h });
}
const ack = (to: Msg, node = 'n1', session = 0): void => label(to, `ack ${node} ${session}`);
const chunk = (to: Msg, position: string, data: string, node = 'n1', session = 0): void =>
  label(to, `chunk ${node} ${session} ${position}`, data);

describe('NatsRequester: replies', () => {
  it('reassembles a reply from its chunks, in order or not', async () => {
    const inOrder = track(requester.request(SUBJECT, BODY, options()));
    const outOfOrder = track(requester.request(SUBJECT, BODY, options()));
    await tick();
    expect(requests.map((r) => r.string())).toEqual([BODY.toString(), BODY.toString()]);
    chunk(requests[0]!, '0/2', 'hello ');
    chunk(requests[0]!, '1/2', 'world');
    for (const [position, data] of [
      ['2/3', 'c'],
      ['0/3', 'a'],
      ['1/3', 'b'],
    ] as const) {
      expect(outOfOrder.done).toBe(false);
      chunk(requests[1]!, position, data, 'n2', 3);
    }
    await flushMicrotasks();
    expect(inOrder.reply?.node).toBe('n1');
    expect(inOrder.reply?.bytes.toString()).toBe('hello world');
    expect(outOfOrder.reply?.node).toBe('n2');
    expect(outOfOrder.reply?.bytes.toString()).toBe('abc');
    expect(requester.pending).toBe(0);
  });

  it('publishes a call again when nobody acknowledges it in time, waiting longer each time, and settles once', async () => {
    const call = track(requester.request(SUBJECT, BODY, options()));
    await tick();
    expect(requests).toHaveLength(1);
    await tick(NATS_ACK_WAIT_MS - 1);
    expect(requests).toHaveLength(1);
    await tick(1);
    expect(requests).toHaveLength(2);
    // Each attempt has its own reply subject.
    expect(requests[1]!.reply).not.toBe(requests[0]!.reply);
    await tick(2 * NATS_ACK_WAIT_MS);
    expect(requests).toHaveLength(3);
    chunk(requests[2]!, '0/1', 'third');
    chunk(requests[1]!, '0/1', 'second');
    await flushMicrotasks();
    expect(call.reply?.bytes.toString()).toBe('third');
    await tick(60_000);
    expect(requests).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not publish an acknowledged call again before its reply', async () => {
    const call = track(requester.request(SUBJECT, BODY, options()));
    await tick(10);
    ack(requests[0]!);
    await tick(10 * NATS_ACK_WAIT_MS);
    expect(requests).toHaveLength(1);
    expect(call.done).toBe(false);
    chunk(requests[0]!, '0/1', 'late');
    await flushMicrotasks();
    expect(call.reply?.bytes.toString()).toBe('late');
  });

  it('a complete reply to an older attempt still settles the call', async () => {
    const call = track(requester.request(SUBJECT, BODY, options()));
    await tick(NATS_ACK_WAIT_MS);
    expect(requests).toHaveLength(2);
    chunk(requests[0]!, '0/1', 'first');
    await flushMicrotasks();
    expect(call.reply?.bytes.toString()).toBe('first');
  });

  it('an acknowledgement or "no responders" for an older attempt changes nothing', async () => {
    const onNoResponders = vi.fn(() => 10);
    const call = track(requester.request(SUBJECT, BODY, options({ onNoResponders })));
    await tick(NATS_ACK_WAIT_MS);
    expect(requests).toHaveLength(2);
    ack(requests[0]!);
    nats.publish(requests[0]!.reply!, undefined, { headers: headers(503, 'No Responders') });
    expect(onNoResponders).not.toHaveBeenCalled();
    await tick(2 * NATS_ACK_WAIT_MS);
    expect(requests).toHaveLength(3);
    expect(call.done).toBe(false);
  });

  it.each([
    ['a bad chunk count', ['0/0'], 'bad chunk count 0'],
    ['more chunks than the limit allows', ['0/9'], 'bad chunk count 9'],
    ['a repeated chunk', ['0/2', '0/2'], 'chunk 0 came twice'],
    ['a chunk of another count', ['0/2', '1/3'], 'bad chunk 1/3'],
    ['a chunk without its position', ['first'], 'a reply chunk without its position'],
  ])('fails a reply with %s as malformed', async (_what, positions, detail) => {
    const call = track(requester.request(SUBJECT, BODY, options({ limitBytes: 2048 })));
    await tick();
    for (const position of positions) chunk(requests[0]!, position, 'x');
    await flushMicrotasks();
    expect(call.error).toEqual(new Error(`malformed: ${detail}`));
  });

  it('fails a reply over limitBytes as malformed', async () => {
    const call = track(requester.request(SUBJECT, BODY, options({ limitBytes: 10 })));
    await tick();
    chunk(requests[0]!, '0/1', '01234567890');
    await flushMicrotasks();
    expect(call.error).toEqual(new Error('malformed: answer over 10 bytes'));
  });
});

describe('NatsRequester: no responders, timeout, abort', () => {
  it('asks onNoResponders(1), (2)… and publishes again after the delay it returns, until it returns an Error', async () => {
    const onNoResponders = vi.fn((n: number) => (n < 3 ? 100 * n : new Error(`nobody, ${n} times`)));
    const call = track(requester.request('sentry.nobody.netstat', BODY, options({ onNoResponders })));
    await tick();
    expect(onNoResponders.mock.calls).toEqual([[1]]);
    await tick(99);
    expect(nats.publishedOn('sentry.nobody.netstat')).toHaveLength(1);
    await tick(1);
    expect(onNoResponders.mock.calls).toEqual([[1], [2]]);
    await tick(200);
    expect(onNoResponders.mock.calls).toEqual([[1], [2], [3]]);
    expect(nats.publishedOn('sentry.nobody.netstat')).toHaveLength(3);
    expect(call.error).toEqual(new Error('nobody, 3 times'));
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reaches a responder that subscribed while it waited to try again', async () => {
    const call = track(requester.request('sentry.late.netstat', BODY, options({ onNoResponders: () => 50 })));
    await tick();
    expect(nats.noResponders).toHaveLength(1);
    nats.subscribe('sentry.late.*', { callback: (_error, msg) => chunk(msg, '0/1', 'here now') });
    await tick(50);
    expect(call.reply?.bytes.toString()).toBe('here now');
  });

  it("fails with onTimeout's error when its time runs out, leaving no timer behind", async () => {
    const call = track(requester.request(SUBJECT, BODY, options({ timeoutMs: 5_000, onTimeout: () => new Error('too slow') })));
    await tick(4_999);
    expect(call.done).toBe(false);
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await tick(1);
    expect(call.error).toEqual(new Error('too slow'));
    expect(requester.pending).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with the signal's reason when aborted, or at once when already aborted", async () => {
    const controller = new AbortController();
    const call = track(requester.request(SUBJECT, BODY, options({ signal: controller.signal })));
    await tick();
    const reason = new Error('query cancelled');
    controller.abort(reason);
    await flushMicrotasks();
    expect(call.error).toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    await expect(requester.request(SUBJECT, BODY, options({ signal: controller.signal }))).rejects.toBe(reason);
    await tick();
    expect(requests).toHaveLength(1);
  });
});

describe('NatsRequester: reconnects and lost nodes', () => {
  it('publishes every pending call again when its own connection comes back', async () => {
    const a = track(requester.request(SUBJECT, BODY, options()));
    const b = track(requester.request('sentry.web-01.ps', BODY, options()));
    await tick();
    for (const r of requests) ack(r);
    await nats.emitStatus({ type: 'reconnect', server: 'nats://b:4222' });
    await tick();
    expect(requests.map((r) => r.subject)).toEqual([SUBJECT, 'sentry.web-01.ps', SUBJECT, 'sentry.web-01.ps']);
    chunk(requests[2]!, '0/1', 'a');
    chunk(requests[3]!, '0/1', 'b');
    await flushMicrotasks();
    expect([a.reply?.bytes.toString(), b.reply?.bytes.toString()]).toEqual(['a', 'b']);
  });

  it('responderReconnected publishes again only the calls that node acknowledged in an older session', async () => {
    for (let i = 0; i < 4; i++) track(requester.request(SUBJECT, BODY, options()));
    await tick();
    ack(requests[0]!, 'n1', 0);
    ack(requests[1]!, 'n2', 0);
    ack(requests[2]!, 'n1', 1);
    // requests[3] is not acknowledged: it is published again on its own after the ack wait.
    requester.responderReconnected('n1', 1);
    await tick();
    expect(requests).toHaveLength(5);
    // The call n1 acknowledged in session 0, as its attempt 2.
    expect(requests[4]!.reply).toBe(requests[0]!.reply!.replace(/\.1$/, '.2'));
  });

  it('failAcknowledgedBy fails only the calls that node acknowledged', async () => {
    const calls = [0, 1, 2].map(() => track(requester.request(SUBJECT, BODY, options())));
    await tick();
    ack(requests[0]!, 'n1');
    ack(requests[1]!, 'n2');
    requester.failAcknowledgedBy('n1', () => new Error('node n1 is unreachable'));
    await flushMicrotasks();
    expect(calls.map((c) => c.error)).toEqual([new Error('node n1 is unreachable'), undefined, undefined]);
    expect(requester.pending).toBe(2);
  });

  it('a disconnection shorter than the grace fails nothing', async () => {
    const call = track(requester.request(SUBJECT, BODY, options()));
    await tick();
    ack(requests[0]!);
    await nats.emitStatus({ type: 'disconnect', server: 'nats://a:4222' });
    await tick(NATS_RECONNECT_GRACE_MS - 1);
    await nats.emitStatus({ type: 'reconnect', server: 'nats://b:4222' });
    await tick(NATS_RECONNECT_GRACE_MS);
    expect(call.done).toBe(false);
  });

  it('after the grace, pending and new calls fail with unreachable() until the connection is back', async () => {
    const call = track(requester.request(SUBJECT, BODY, options()));
    await tick();
    ack(requests[0]!);
    await nats.emitStatus({ type: 'disconnect', server: 'nats://a:4222' });
    await tick(NATS_RECONNECT_GRACE_MS - 1);
    expect(call.done).toBe(false);
    await tick(1);
    expect(call.error).toEqual(new Error('cluster unreachable'));
    await expect(requester.request(SUBJECT, BODY, options())).rejects.toThrow('cluster unreachable');
    await nats.emitStatus({ type: 'reconnect', server: 'nats://b:4222' });
    const again = track(requester.request(SUBJECT, BODY, options()));
    await tick();
    chunk(requests.at(-1)!, '0/1', 'back');
    await flushMicrotasks();
    expect(again.reply?.bytes.toString()).toBe('back');
  });

  it('close() fails pending calls and refuses new ones', async () => {
    const call = track(requester.request(SUBJECT, BODY, options()));
    requester.close();
    await flushMicrotasks();
    expect(call.error).toEqual(new Error('cluster unreachable'));
    await expect(requester.request(SUBJECT, BODY, options())).rejects.toThrow('cluster unreachable');
  });
});
