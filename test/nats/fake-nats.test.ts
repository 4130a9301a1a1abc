import { headers, type Msg, type Status } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { FakeNats, subjectMatches } from '../helpers/fake-nats.js';

describe('the fake NATS connection of these tests', () => {
  it('matches subjects as NATS does', () => {
    expect(subjectMatches('a.*.c', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.*.c', 'a.b.x.c')).toBe(false);
    expect(subjectMatches('a.>', 'a.b.c')).toBe(true);
    expect(subjectMatches('a.>', 'a')).toBe(false);
    expect(subjectMatches('a.b', 'a.b.c')).toBe(false);
    expect(subjectMatches('*', 'a')).toBe(true);
  });

  it('delivers synchronously, in order, with reply, headers and the Msg helpers', () => {
    const nats = new FakeNats();
    const got: Msg[] = [];
    nats.subscribe('x.*', { callback: (_e, msg) => void got.push(msg) });
    const h = headers();
    h.set('K', 'v');
    nats.publish('x.1', '{"n":1}', { reply: 'r.1', headers: h });
    nats.publish('x.2');
    expect(got.map((m) => [m.subject, m.reply, m.headers?.get('K')])).toEqual([
      ['x.1', 'r.1', 'v'],
      ['x.2', undefined, undefined],
    ]);
    expect(got[0]!.json()).toEqual({ n: 1 });
    expect(got[1]!.data).toEqual(new Uint8Array(0));
  });

  it('answers "no responders" to a request nobody listens to, drops on demand and refuses oversize', () => {
    const nats = new FakeNats({ maxPayload: 16 });
    const replies: Msg[] = [];
    nats.subscribe('r.>', { callback: (_e, msg) => void replies.push(msg) });
    nats.publish('nobody', 'x', { reply: 'r.1' });
    expect(replies[0]?.headers?.code).toBe(503);
    nats.subscribe('s', { callback: (_e, msg) => void msg.respond('pong') });
    nats.dropNext((m) => m.subject === 's');
    nats.publish('s', 'ping', { reply: 'r.2' });
    expect(replies).toHaveLength(1);
    nats.publish('s', 'ping', { reply: 'r.3' });
    expect(replies.map((m) => m.string())).toEqual(['', 'pong']);
    expect(nats.published.filter((m) => m.dropped).map((m) => m.reply)).toEqual(['r.2']);
    expect(() => nats.publish('s', 'x'.repeat(17))).toThrow('max_payload');
  });

  it('feeds every status stream and waits until each consumer handled it', async () => {
    const nats = new FakeNats();
    const seen: string[] = [];
    for (const who of ['a', 'b']) {
      void (async () => {
        for await (const status of nats.status()) seen.push(`${who}:${status.type}`);
      })();
    }
    await nats.emitStatus({ type: 'disconnect', server: 's1' } satisfies Status);
    expect(seen).toEqual(['a:disconnect', 'b:disconnect']);
    await nats.close();
    await nats.emitStatus({ type: 'reconnect', server: 's2' });
    expect(seen).toHaveLength(2);
    expect(nats.isClosed()).toBe(true);
  });
});
