// Responders that come back: a data node restarted as a new process, a direct agent that reconnected to NATS.
// Their acknowledged calls were lost with them; each must be published again, not left to its timeout.
import { headers, type Msg } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NatsCluster } from '../../src/nats/nats-cluster.js';
import { guidToken } from '../../src/nats/subjects.js';
import { REPLY_HEADER } from '../../src/nats/wire.js';
import { FakeNats, flushMicrotasks, tick, useNatsFakeTimers } from '../helpers/fake-nats.js';

let nats: FakeNats;
let cluster: NatsCluster;
let requests: Msg[];

beforeEach(() => {
  useNatsFakeTimers();
  nats = new FakeNats();
  cluster = new NatsCluster({ nc: nats.nc });
  requests = [];
  nats.subscribe('sentry.*.*', { callback: (_error, msg) => void requests.push(msg) });
  // n1 answers its list: web-01.
  nats.subscribe('sentry-node.n1.list', {
    callback: (_error, msg) => {
      const h = headers();
      h.set(REPLY_HEADER, 'chunk n1 0 0/1');
      nats.publish(msg.reply!, JSON.stringify({ result: { boot: boot, session: 0, version: 1, sentries: [{ guid: 'web-01' }] } }), {
        headers: h,
      });
    },
  });
});

afterEach(() => {
  cluster.close();
  vi.useRealTimers();
});

let boot = 'b1';
function acknowledge(msg: Msg, node: string, session: number): void {
  const h = headers();
  h.set(REPLY_HEADER, `ack ${node} ${session}`);
  nats.publish(msg.reply!, '', { headers: h });
}
const heartbeat = (): void => nats.publish('sentry-node.n1.heartbeat', JSON.stringify({ boot, session: 0, version: 1, count: 1 }));

describe('calls acknowledged by a responder that came back', () => {
  it('a data node restarted as a new process (new boot id): its acknowledged call is published again at once', async () => {
    boot = 'b1';
    heartbeat();
    await tick(10);
    expect(cluster.locate('web-01')).toBe('n1');
    const call = cluster.call('n1', 'web-01', 'netstat', {}, { timeoutMs: 60_000 });
    call.catch(() => undefined);
    await tick(10);
    expect(requests).toHaveLength(1);
    acknowledge(requests[0]!, 'n1', 0);
    // The node restarts within NODE_SUSPECT_AFTER_MS: same name, new boot id, session 0 again.
    boot = 'b2';
    heartbeat();
    await tick(10);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.subject).toBe('sentry.web-01.netstat');
  });

  it('a direct agent that reconnected (its heartbeat says a newer session): its acknowledged call is published again', async () => {
    const subject = `sentry-agent.${guidToken('web 02')}.heartbeat`;
    nats.publish(subject, JSON.stringify({ hostname: 'w2', session: 0 }));
    await flushMicrotasks();
    expect(cluster.locate('web 02')).toBe('direct');
    const call = cluster.call('direct', 'web 02', 'netstat', {}, { timeoutMs: 60_000 });
    call.catch(() => undefined);
    await tick(10);
    expect(requests).toHaveLength(1);
    acknowledge(requests[0]!, 'direct', 0);
    // Another agent's reconnect publishes nothing again.
    nats.publish(`sentry-agent.other.heartbeat`, JSON.stringify({ session: 0 }));
    nats.publish(`sentry-agent.other.heartbeat`, JSON.stringify({ session: 3 }));
    await tick(10);
    expect(requests).toHaveLength(1);
    nats.publish(subject, JSON.stringify({ hostname: 'w2', session: 1 }));
    await tick(10);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.subject).toBe(`sentry.${guidToken('web 02')}.netstat`);
  });

  it('a closed cluster stops asking for announcements after its connection comes back', async () => {
    const pings = (): number => nats.published.filter((m) => m.subject === 'sentry-presence.ping').length;
    expect(pings()).toBe(1);
    cluster.close();
    await nats.emitStatus({ type: 'reconnect', server: 'nats://b:4222' });
    expect(pings()).toBe(1);
  });
});
