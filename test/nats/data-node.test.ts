import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MockSentryConnector } from '../../sdk-mock/mock-sentries.js';
import { NatsCluster } from '../../src/nats/nats-cluster.js';
import { NatsDataNode } from '../../src/nats/data-node.js';
import { parseReplyLabel, REPLY_HEADER } from '../../src/nats/wire.js';
import { CLUSTER_CALL_PARAMS_LIMIT_BYTES, CLUSTER_CALL_TIMEOUT_LIMIT_MS, NATS_ACK_DELAY_MS } from '../../src/rpc/limits.js';
import type { SentryCallOptions } from '../../src/runtime/sentry-connector.js';
import { FakeNats, tick, useNatsFakeTimers } from '../helpers/fake-nats.js';

const CONNECTIONS = [
  { pid: 1, protocol: 'tcp', local_ip: '127.0.0.1', local_port: 22, remote_ip: '0.0.0.0', remote_port: 0, state: 'LISTEN' },
];

let nats: FakeNats;
let connector: MockSentryConnector;
let node: NatsDataNode;
let cluster: NatsCluster;

/** A data node n1 (with `pendingCallsLimit`) and a control node on one NATS; n1's list has reached the control node. */
async function start(pendingCallsLimit?: number): Promise<void> {
  node = new NatsDataNode({ nc: nats.nc, name: 'n1', connector, ...(pendingCallsLimit !== undefined && { pendingCallsLimit }) });
  cluster = new NatsCluster({ nc: nats.nc });
  await tick(200);
  expect(cluster.locate('web-01')).toBe('n1');
}

beforeEach(() => {
  useNatsFakeTimers();
  nats = new FakeNats();
  connector = new MockSentryConnector([
    { guid: 'web-01', connections: CONNECTIONS },
    { guid: 'slow-01', delay_ms: 500, connections: CONNECTIONS },
    { guid: 'stuck-01', fail: 'timeout' },
    { guid: 'stuck-02', fail: 'timeout' },
    { guid: 'stuck-03', fail: 'timeout' },
  ]);
});

afterEach(() => {
  cluster.close();
  node.close();
  expect(nats.callbackErrors).toEqual([]);
  vi.useRealTimers();
});

/** A cluster call's outcome, as a promise that never rejects (so waiting on timers raises no unhandled rejection). */
function call(guid: string, method = 'netstat', params: Record<string, unknown> = {}, options: SentryCallOptions = { timeoutMs: 5_000 }) {
  return cluster.call('n1', guid, method, params, options).then(
    (value) => ({ value }),
    (error: Error) => ({ error: error.message }),
  );
}

/** Publishes a raw request and returns what came back on its reply subject: the reassembled reply, as JSON. */
async function raw(subject: string, body: string): Promise<unknown> {
  const inbox = `test-inbox.${nats.published.length}`;
  const chunks: string[] = [];
  const sub = nats.subscribe(inbox, { callback: (_error, msg) => void chunks.push(msg.string()) });
  nats.publish(subject, body, { reply: inbox });
  await tick(10);
  sub.unsubscribe();
  return JSON.parse(chunks.join('')) as unknown;
}

const acks = (): number => nats.published.filter((m) => parseReplyLabel(m.headers?.get(REPLY_HEADER))?.kind === 'ack').length;

describe('NatsDataNode answering NatsCluster', () => {
  it('answers a call with the sentry’s answer, and a fast answer is not acknowledged', async () => {
    await start();
    const answer = call('web-01');
    await tick(10);
    expect(await answer).toEqual({ value: CONNECTIONS });
    expect(acks()).toBe(0);
    expect(connector.stats.calls).toBe(1);
  });

  it('acknowledges a slow answer after NATS_ACK_DELAY_MS, once', async () => {
    await start();
    const answer = call('slow-01');
    await tick(NATS_ACK_DELAY_MS - 1);
    expect(acks()).toBe(0);
    await tick(1);
    expect(acks()).toBe(1);
    await tick(500);
    expect(await answer).toEqual({ value: CONNECTIONS });
    expect(acks()).toBe(1);
    // Acknowledged, so never published again: the sentry was asked once.
    expect(connector.stats.calls).toBe(1);
  });

  it('refuses a method that is not in the allow-list', async () => {
    await start();
    const answer = call('web-01', 'reboot');
    await tick(10);
    expect(await answer).toEqual({ error: 'the data node does not forward method reboot' });
    expect(await raw('sentry.web-01.reboot', '{"timeoutMs":1000}')).toEqual({
      error: { kind: 'refused', message: 'the data node does not forward method reboot' },
    });
    expect(connector.stats.calls).toBe(0);
  });

  it('refuses a body that is not JSON, or out of bounds', async () => {
    await start();
    expect(await raw('sentry.web-01.netstat', 'not json')).toEqual({
      error: { kind: 'refused', message: 'invalid forwarded call: not JSON' },
    });
    expect(await raw('sentry.web-01.netstat', JSON.stringify({ timeoutMs: CLUSTER_CALL_TIMEOUT_LIMIT_MS + 1 }))).toEqual({
      error: { kind: 'refused', message: 'invalid forwarded call: timeoutMs: timeout over 600 s' },
    });
    const big = { params: { x: 'a'.repeat(CLUSTER_CALL_PARAMS_LIMIT_BYTES) }, timeoutMs: 1000 };
    expect(await raw('sentry.web-01.netstat', JSON.stringify(big))).toEqual({
      error: { kind: 'refused', message: 'invalid forwarded call: params: params over 2048 bytes' },
    });
    // Right at the limits: answered.
    const atLimit = { params: { x: 'a'.repeat(CLUSTER_CALL_PARAMS_LIMIT_BYTES - 8) }, timeoutMs: CLUSTER_CALL_TIMEOUT_LIMIT_MS };
    expect(await raw('sentry.web-01.netstat', JSON.stringify(atLimit))).toEqual({ result: CONNECTIONS });
    expect(connector.stats.calls).toBe(1);
  });

  it('refuses, through the cluster, params and timeouts over the limits', async () => {
    await start();
    const params = call('web-01', 'netstat', { x: 'a'.repeat(CLUSTER_CALL_PARAMS_LIMIT_BYTES) });
    const timeout = call('web-01', 'netstat', {}, { timeoutMs: CLUSTER_CALL_TIMEOUT_LIMIT_MS + 1 });
    await tick(10);
    expect(await params).toEqual({ error: 'invalid forwarded call: params: params over 2048 bytes' });
    expect(await timeout).toEqual({ error: 'invalid forwarded call: timeoutMs: timeout over 600 s' });
  });

  it('refuses a call past the pending limit at once, and takes calls again once one ends', async () => {
    await start(2);
    const first = call('stuck-01', 'netstat', {}, { timeoutMs: 2_000 });
    const second = call('stuck-02', 'netstat', {}, { timeoutMs: 3_000 });
    const third = call('stuck-03');
    await tick(10);
    expect(await third).toEqual({ error: 'too many calls pending on the data node (limit 2)' });
    expect(connector.stats.inFlight).toBe(2);
    await tick(2_000);
    expect(await first).toEqual({ error: 'timeout' });
    const fourth = call('web-01');
    await tick(10);
    expect(await fourth).toEqual({ value: CONNECTIONS });
    await tick(1_000);
    expect(await second).toEqual({ error: 'timeout' });
  });

  it('stops serving a sentry whose link went down: its calls get "not connected"', async () => {
    await start();
    connector.get('web-01')!.connected = false;
    node.sentryChanged({ guid: 'web-01', connected: false });
    expect(nats.subscriptionCount('sentry.web-01.*')).toBe(0);
    await tick(150);
    expect(cluster.locate('web-01')).toBeUndefined();
    const answer = call('web-01');
    await tick(10);
    expect(await answer).toEqual({ error: 'not connected' });
    expect(nats.noResponders).toHaveLength(1);
    expect(connector.stats.calls).toBe(0);
  });

  it('a batch of changes too big for one message is not sent: the list travels instead, in chunks', async () => {
    nats = new FakeNats({ maxPayload: 6 * 1024 });
    await start();
    const changesBefore = nats.publishedOn('sentry-node.n1.changes').length;
    for (let i = 0; i < 40; i++) {
      connector.add({ guid: `extra-${i}`, hostname: `host-${i}-${'x'.repeat(80)}` });
      node.sentryChanged({ guid: `extra-${i}`, connected: true, hostname: `host-${i}-${'x'.repeat(80)}` });
    }
    await tick(1_100);
    expect(nats.publishedOn('sentry-node.n1.changes')).toHaveLength(changesBefore);
    expect(cluster.sentries()).toHaveLength(45);
    expect(cluster.locate('extra-39')).toBe('n1');
    const chunks = nats.published.filter((m) => parseReplyLabel(m.headers?.get(REPLY_HEADER))?.chunk?.endsWith('/1') === false);
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('a node that closes is forgotten by the control node at once', async () => {
    await start();
    node.close();
    expect(cluster.nodes()).toEqual([{ name: 'control', type: 'control' }]);
    expect(cluster.sentries()).toEqual([]);
  });
});
