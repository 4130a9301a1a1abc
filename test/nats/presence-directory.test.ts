import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PresenceDirectory, type PresenceEvent } from '../../src/nats/presence-directory.js';
import { DIRECT_NODE, guidToken, PRESENCE_PING_SUBJECT } from '../../src/nats/subjects.js';
import type { AnnouncedSentry, NodeList } from '../../src/nats/wire.js';
import { DIRECT_AGENT_EXPIRY_MS, NODE_EXPIRY_MS, NODE_SUSPECT_AFTER_MS } from '../../src/rpc/limits.js';
import { FakeNats, flushMicrotasks, useNatsFakeTimers } from '../helpers/fake-nats.js';

const WEB: AnnouncedSentry = { guid: 'web-01', hostname: 'web', os: 'linux', connected_at: '2024-05-01T10:00:00.000Z' };
const DB: AnnouncedSentry = { guid: 'db-01' };

let nats: FakeNats;
let clock: number;
let events: PresenceEvent[];
/** What each node answers to `list` (changed by tests); a node without an entry does not answer. */
let lists: Map<string, NodeList>;
let fetchList: ReturnType<typeof vi.fn<(node: string) => Promise<NodeList>>>;
let onNodeSession: ReturnType<typeof vi.fn<(node: string, session: number) => void>>;
let onNodeLost: ReturnType<typeof vi.fn<(node: string) => void>>;
let directory: PresenceDirectory;

beforeEach(() => {
  useNatsFakeTimers();
  nats = new FakeNats();
  clock = 1_000_000;
  events = [];
  lists = new Map([['n1', { boot: 'b1', session: 0, version: 1, sentries: [WEB] }]]);
  fetchList = vi.fn((node: string) => {
    const list = lists.get(node);
    return list ? Promise.resolve(structuredClone(list)) : Promise.reject(new Error(`node ${node} is unreachable`));
  });
  onNodeSession = vi.fn<(node: string, session: number) => void>();
  onNodeLost = vi.fn<(node: string) => void>();
  directory = new PresenceDirectory(nats.nc, { fetchList, log: (e) => void events.push(e), onNodeSession, onNodeLost, now: () => clock });
});

afterEach(() => {
  directory.close();
  expect(nats.callbackErrors).toEqual([]);
  vi.useRealTimers();
});

const heartbeat = (node: string, beat: object): void =>
  nats.publish(`sentry-node.${node}.heartbeat`, JSON.stringify({ boot: 'b1', session: 0, version: 1, count: 1, ...beat }));
const changes = (node: string, batch: object): void =>
  nats.publish(`sentry-node.${node}.changes`, JSON.stringify({ boot: 'b1', session: 0, connected: [], disconnected: [], ...batch }));
const eventsOf = (event: PresenceEvent['event']): PresenceEvent[] => events.filter((e) => e.event === event);
const guids = (): string[] => directory.sentries().map((s) => `${s.guid}@${s.node}${s.connected ? '' : ' (not connected)'}`);

/** n1 announced itself and its list (web-01) arrived. */
async function joined(): Promise<void> {
  heartbeat('n1', {});
  await flushMicrotasks();
}

describe('PresenceDirectory: data nodes', () => {
  it('asks everyone to announce themselves at once, and again after a reconnect', async () => {
    expect(nats.publishedOn(PRESENCE_PING_SUBJECT)).toHaveLength(1);
    await nats.emitStatus({ type: 'reconnect', server: 'nats://b:4222' });
    expect(nats.publishedOn(PRESENCE_PING_SUBJECT)).toHaveLength(2);
  });

  it('a heartbeat introduces a node; its list tells where each sentry is', async () => {
    heartbeat('n1', { count: 1 });
    expect(events).toEqual([{ event: 'node-joined', node: 'n1', detail: '1 sentries' }]);
    expect(fetchList.mock.calls).toEqual([['n1']]);
    expect(directory.sentries()).toEqual([]);
    await flushMicrotasks();
    expect(directory.nodeNames()).toEqual(['n1']);
    expect(directory.locate('web-01')).toBe('n1');
    expect(directory.locate('db-01')).toBeUndefined();
    expect(directory.sentries()).toEqual([
      { guid: 'web-01', hostname: 'web', os: 'linux', node: 'n1', connected: true, connected_at: new Date('2024-05-01T10:00:00.000Z') },
    ]);
    // The same version again: nothing to fetch.
    heartbeat('n1', {});
    expect(fetchList).toHaveBeenCalledTimes(1);
  });

  it('applies changes in version order and fetches the list again after a gap', async () => {
    await joined();
    changes('n1', { from: 1, version: 2, connected: [DB], disconnected: ['web-01'] });
    expect(guids()).toEqual(['db-01@n1']);
    changes('n1', { from: 2, version: 3, connected: [WEB] });
    expect(guids().sort()).toEqual(['db-01@n1', 'web-01@n1']);
    expect(fetchList).toHaveBeenCalledTimes(1);
    // Changes 3 → 4 were lost: 4 → 5 does not apply, the list is fetched.
    lists.set('n1', { boot: 'b1', session: 0, version: 5, sentries: [DB] });
    changes('n1', { from: 4, version: 5, connected: [{ guid: 'lost-01' }] });
    expect(fetchList).toHaveBeenCalledTimes(2);
    await flushMicrotasks();
    expect(guids()).toEqual(['db-01@n1']);
    // From another process of n1, or from an unknown node: ignored.
    changes('n1', { boot: 'b0', from: 5, version: 6, connected: [WEB] });
    changes('n9', { from: 0, version: 1, connected: [WEB] });
    expect(guids()).toEqual(['db-01@n1']);
  });

  it('a heartbeat with another version fetches the list; an unanswered list is asked again at the next one', async () => {
    lists.delete('n1');
    heartbeat('n1', {});
    await flushMicrotasks();
    expect(guids()).toEqual([]);
    lists.set('n1', { boot: 'b1', session: 0, version: 2, sentries: [DB] });
    heartbeat('n1', { version: 2 });
    await flushMicrotasks();
    expect(fetchList).toHaveBeenCalledTimes(2);
    expect(guids()).toEqual(['db-01@n1']);
  });

  it('a silent node is suspect, then back at its next heartbeat', async () => {
    await joined();
    clock += NODE_SUSPECT_AFTER_MS - 1;
    directory.sweep();
    expect(directory.isSuspect('n1')).toBe(false);
    clock += 1;
    directory.sweep();
    expect(directory.isSuspect('n1')).toBe(true);
    expect(guids()).toEqual(['web-01@n1 (not connected)']);
    expect(onNodeLost.mock.calls).toEqual([['n1']]);
    expect(eventsOf('node-suspect')).toEqual([{ event: 'node-suspect', node: 'n1', detail: 'silent for 3 s' }]);
    directory.sweep();
    expect(onNodeLost).toHaveBeenCalledTimes(1);
    heartbeat('n1', {});
    expect(directory.isSuspect('n1')).toBe(false);
    expect(guids()).toEqual(['web-01@n1']);
    expect(eventsOf('node-back')).toHaveLength(1);
  });

  it('a node silent for NODE_EXPIRY_MS is gone, with its sentries', async () => {
    await joined();
    clock += NODE_EXPIRY_MS - 1;
    directory.sweep();
    expect(directory.hasNode('n1')).toBe(true);
    clock += 1;
    directory.sweep();
    expect(directory.hasNode('n1')).toBe(false);
    expect(directory.sentries()).toEqual([]);
    expect(directory.locate('web-01')).toBeUndefined();
    expect(eventsOf('node-left')).toEqual([{ event: 'node-left', node: 'n1', detail: 'silent for 6 s' }]);
    expect(onNodeLost).toHaveBeenCalledWith('n1');
  });

  it('the sweep runs by itself on the clock', async () => {
    directory.close();
    directory = new PresenceDirectory(nats.nc, { fetchList, log: (e) => void events.push(e) });
    await joined();
    await vi.advanceTimersByTimeAsync(NODE_SUSPECT_AFTER_MS + 250);
    expect(directory.isSuspect('n1')).toBe(true);
    await vi.advanceTimersByTimeAsync(NODE_EXPIRY_MS);
    expect(directory.hasNode('n1')).toBe(false);
  });

  it('a node that says it is leaving is forgotten at once', async () => {
    await joined();
    heartbeat('n1', { leaving: true });
    expect(directory.hasNode('n1')).toBe(false);
    expect(directory.sentries()).toEqual([]);
    expect(eventsOf('node-left')).toEqual([{ event: 'node-left', node: 'n1', detail: 'it is shutting down' }]);
    expect(onNodeLost.mock.calls).toEqual([['n1']]);
  });

  it('a new boot id is a restarted node: its old sentries go and its list is fetched again', async () => {
    await joined();
    lists.set('n1', { boot: 'b2', session: 0, version: 1, sentries: [DB] });
    heartbeat('n1', { boot: 'b2' });
    expect(eventsOf('node-restarted')).toHaveLength(1);
    expect(fetchList).toHaveBeenCalledTimes(2);
    expect(directory.sentries()).toEqual([]);
    await flushMicrotasks();
    expect(guids()).toEqual(['db-01@n1']);
  });

  it('a node in a new NATS session is reported once', async () => {
    await joined();
    heartbeat('n1', { session: 2 });
    heartbeat('n1', { session: 2 });
    heartbeat('n1', { session: 1 });
    expect(onNodeSession.mock.calls).toEqual([['n1', 2]]);
  });

  it('ignores bad announcements, logging them', async () => {
    nats.publish('sentry-node.n1.heartbeat', 'not json');
    nats.publish('sentry-node.n1.heartbeat', JSON.stringify({ boot: 'b1', session: -1, version: 1, count: 1 }));
    nats.publish('sentry-node.n1.changes', JSON.stringify({ from: 'x' }));
    heartbeat(DIRECT_NODE, {});
    heartbeat('n%1', {});
    heartbeat('n'.repeat(65), {});
    heartbeat('a.b', {}); // not even delivered: four tokens
    expect(eventsOf('bad-announcement').map((e) => e.node)).toEqual([
      'sentry-node.n1.heartbeat',
      'sentry-node.n1.heartbeat',
      'sentry-node.n1.changes',
      'sentry-node.direct.heartbeat',
      'sentry-node.n%1.heartbeat',
      `sentry-node.${'n'.repeat(65)}.heartbeat`,
    ]);
    expect(events).toHaveLength(6);
    expect(directory.nodeNames()).toEqual([]);
    expect(fetchList).not.toHaveBeenCalled();
    await joined();
    expect(guids()).toEqual(['web-01@n1']);
  });
});

describe('PresenceDirectory: direct agents', () => {
  const agent = (token: string, beat: object = {}): void =>
    nats.publish(`sentry-agent.${token}.heartbeat`, JSON.stringify({ hostname: 'db', connected_at: '2024-05-01T10:00:00.000Z', ...beat }));

  it('lists a direct agent with node `direct` until it expires', () => {
    agent(guidToken('db.eu'));
    expect(directory.locate('db.eu')).toBe(DIRECT_NODE);
    expect(directory.sentries()).toEqual([
      { guid: 'db.eu', hostname: 'db', node: DIRECT_NODE, connected: true, connected_at: new Date('2024-05-01T10:00:00.000Z') },
    ]);
    clock += DIRECT_AGENT_EXPIRY_MS - 1;
    directory.sweep();
    expect(directory.locate('db.eu')).toBe(DIRECT_NODE);
    agent(guidToken('db.eu'));
    clock += DIRECT_AGENT_EXPIRY_MS - 1;
    directory.sweep();
    expect(directory.locate('db.eu')).toBe(DIRECT_NODE);
    clock += 1;
    directory.sweep();
    expect(directory.locate('db.eu')).toBeUndefined();
    expect(directory.sentries()).toEqual([]);
  });

  it('forgets an agent that says it is leaving', () => {
    agent('web-02');
    agent('web-02', { leaving: true });
    expect(directory.sentries()).toEqual([]);
  });

  it('ignores a token that guidToken would not make, and a bad heartbeat', () => {
    agent('db%2eeu'); // lower-case escape: not canonical
    agent('%ZZ');
    nats.publish('sentry-agent.web-03.heartbeat', '{"hostname": 5}');
    expect(directory.sentries()).toEqual([]);
    expect(eventsOf('bad-announcement')).toHaveLength(3);
  });

  it('a guid a data node holds is located on the node, not direct', async () => {
    agent('web-01');
    await joined();
    expect(directory.locate('web-01')).toBe('n1');
  });
});
