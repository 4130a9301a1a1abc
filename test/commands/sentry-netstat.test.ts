import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpAddress, QueryParseError, typeOfValue, type CommandParser, type QueryDriver, type CommandContext } from '../../src/index.js';
import { MockHost, type MockSentry } from '../../sdk-mock/index.js';
import { connection, jsonDriver, sentries } from '../helpers/fleet.js';

const KEY = 'logpresso.core.sentry_rpc_parallel';

const web: MockSentry = {
  guid: 'web-01',
  os: 'linux',
  hostname: 'web-01',
  delay_ms: 20,
  connections: [
    connection({ pid: 812, local_port: 22 }),
    connection({ pid: 1201, protocol: 'tcp6', local_ip: '0:0:0:0:0:0:0:1', local_port: 5432, remote_ip: '::', state: 'LISTEN' }),
    connection({ pid: 1201, local_ip: '10.0.0.5', local_port: 443, remote_ip: '10.0.0.9', remote_port: 51234, state: 'ESTABLISHED' }),
    connection({ pid: null, protocol: 'udp', local_ip: '0.0.0.0', local_port: 68, state: 'NONE' }),
    connection({
      pid: 77,
      protocol: 'udp6',
      local_ip: '::',
      local_port: 546,
      remote_ip: '::ffff:10.0.0.7',
      remote_port: 547,
      state: 'ESTABLISHED',
    }),
  ],
};
const db: MockSentry = { guid: 'db-01', delay_ms: 10, connections: [connection({ pid: 900, local_port: 5432 })] };

describe('sentry-netstat on the mock host', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Runs a query to its end under fake timers. */
  async function run(host: MockHost, query: string, user?: string) {
    const rows = host.query(query, user === undefined ? {} : { user });
    await vi.runAllTimersAsync();
    return rows;
  }

  describe('the reference page examples', () => {
    it('1. sentry | fields guid | sentry-netstat: every connection of every sentry, typed', async () => {
      const host = new MockHost({ sentries: [web, db], env: {} });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat');
      expect(rows).toHaveLength(6);
      // db-01 answers first (10 ms before web-01's 20 ms).
      expect(rows[0]).toEqual({
        guid: 'db-01',
        pid: 900,
        protocol: 'tcp',
        local_ip: IpAddress.parse('0.0.0.0'),
        local_port: 5432,
        remote_ip: IpAddress.parse('0.0.0.0'),
        remote_port: 0,
        state: 'LISTEN',
      });
      for (const row of rows) {
        expect(Object.keys(row)).toEqual(['guid', 'pid', 'protocol', 'local_ip', 'local_port', 'remote_ip', 'remote_port', 'state']);
        expect(typeOfValue(row['local_ip']!)).toBe('ipaddr');
        expect(typeOfValue(row['remote_ip']!)).toBe('ipaddr');
        expect(typeOfValue(row['local_port']!)).toBe('int');
        expect(typeOfValue(row['remote_port']!)).toBe('int');
        expect(['int', 'null']).toContain(typeOfValue(row['pid']!));
      }
      const v6 = rows.find((r) => r['protocol'] === 'tcp6')!;
      expect(String(v6['local_ip'])).toBe('::1');
      expect(String(rows.find((r) => r['protocol'] === 'udp6')!['remote_ip'])).toBe('::ffff:10.0.0.7');
      expect(rows.find((r) => r['protocol'] === 'udp')).toMatchObject({ pid: null, state: 'NONE' });
    });

    it('2. | search state == "LISTEN" keeps only listening sockets', async () => {
      const host = new MockHost({ sentries: [web, db], env: {} });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat | search state == "LISTEN"');
      expect(rows.map((r) => `${String(r['guid'])}:${String(r['local_port'])}`).sort()).toEqual(['db-01:5432', 'web-01:22', 'web-01:5432']);
    });

    it('3. timeout=60: a sentry answering after 59 s is served, one after 61 s times out', async () => {
      const host = new MockHost({
        env: {},
        sentries: [
          { ...db, guid: 'slow', delay_ms: 59_000 },
          { ...db, guid: 'slower', delay_ms: 61_000 },
        ],
      });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat timeout=60');
      expect(rows).toEqual([expect.objectContaining({ guid: 'slow', local_port: 5432 }), { guid: 'slower', _error: 'timeout' }]);
    });
  });

  describe('runtime errors go into _error on the original record', () => {
    it('guid null, missing, not a string, empty, then not connected', async () => {
      const host = new MockHost({ env: {} });
      const input = [
        { guid: null, a: 1 },
        { a: 2 },
        { guid: 42, a: 3 },
        { guid: true, a: 4 },
        { guid: ['x'], a: 5 },
        { guid: '', a: 6 },
        { guid: 'ghost', a: 7, nested: { k: 'v' } },
      ];
      const rows = await run(host, `${jsonDriver(input)} | sentry-netstat`);
      expect(rows).toEqual([
        { guid: null, a: 1, _error: 'guid is null' },
        { a: 2, _error: 'guid is null' },
        { guid: 42, a: 3, _error: 'guid should be string' },
        { guid: true, a: 4, _error: 'guid should be string' },
        { guid: ['x'], a: 5, _error: 'guid should be string' },
        { guid: '', a: 6, _error: 'guid should be non empty string' },
        { guid: 'ghost', a: 7, nested: { k: 'v' }, _error: 'not connected' },
      ]);
    });

    it("not connected, timeout, disconnected, and the sentry's own exception message", async () => {
      const host = new MockHost({
        env: {},
        sentries: [
          { guid: 'off', connected: false },
          { guid: 'mute', fail: 'timeout' },
          { guid: 'drop', fail: 'disconnect', delay_ms: 5 },
          { guid: 'err', fail: { error: 'permission denied reading /proc/net/tcp' }, delay_ms: 5 },
        ],
      });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat timeout=5');
      expect(rows).toEqual([
        { guid: 'off', _error: 'not connected' },
        { guid: 'drop', _error: 'disconnected' },
        { guid: 'err', _error: 'permission denied reading /proc/net/tcp' },
        { guid: 'mute', _error: 'timeout' },
      ]);
      // After the link dropped, the sentry is no longer connected.
      expect(host.sentries.list().find((s) => s.guid === 'drop')?.connected).toBe(false);
    });

    it('times out exactly at the timeout on the clock, not before', async () => {
      const host = new MockHost({ env: {}, sentries: [{ guid: 'mute', fail: 'timeout' }] });
      const got: unknown[] = [];
      const run = host.start('sentry | fields guid | sentry-netstat timeout=7', { onRecord: (r) => void got.push(r) });
      await vi.advanceTimersByTimeAsync(6_999);
      expect(got).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(got).toEqual([{ guid: 'mute', _error: 'timeout' }]);
      await run.done;
    });

    it('a malformed answer becomes a clear _error, the query goes on', async () => {
      const bad = (guid: string, connections: unknown[]): MockSentry => ({ guid, connections });
      const host = new MockHost({
        env: {},
        sentries: [
          { guid: 'garbage', fail: 'malformed', delay_ms: 1 },
          bad('port', [connection({ local_port: 70000 })]),
          bad('ip', [connection({ remote_ip: 'not-an-ip' })]),
          bad('family', [connection({ protocol: 'tcp6' })]),
          bad('state', [connection({ protocol: 'udp', state: 'LISTEN' })]),
          bad('pid', [connection(), connection({ pid: '812' })]),
          bad('proto', [connection({ protocol: 'sctp' })]),
          { ...db, guid: 'fine', delay_ms: 2 },
        ],
      });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat');
      const errors = Object.fromEntries(rows.filter((r) => '_error' in r).map((r) => [r['guid'], r['_error']]));
      expect(errors).toEqual({
        garbage: 'malformed netstat answer: expected an array of connections (got {"unexpected":"this is not a connection list"})',
        port: 'malformed netstat answer: [0].local_port: expected an integer port 0..65535 (got 70000)',
        ip: 'malformed netstat answer: [0].remote_ip: expected an IP address (got "not-an-ip")',
        family: 'malformed netstat answer: [0].local_ip: expected an IPv6 address for tcp6 (got "0.0.0.0")',
        state: 'malformed netstat answer: [0].state: expected a udp state (NONE, ESTABLISHED) (got "LISTEN")',
        pid: 'malformed netstat answer: [1].pid: expected an integer pid or null (got "812")',
        proto: 'malformed netstat answer: [0].protocol: expected tcp, tcp6, udp or udp6 (got "sctp")',
      });
      expect(rows.filter((r) => r['guid'] === 'fine')).toHaveLength(1);
    });
  });

  describe('order and the parallel bound', () => {
    it('emits in the order answers arrive; a fast sentry is never held behind a slow one', async () => {
      const host = new MockHost({
        env: {},
        config: { [KEY]: 2 },
        sentries: [
          { ...db, guid: 'slow', delay_ms: 1_000 },
          { ...db, guid: 'fast-1', delay_ms: 10 },
          { ...db, guid: 'fast-2', delay_ms: 30 },
          { ...db, guid: 'fast-3', delay_ms: 10 },
          { guid: 'off', connected: false },
        ],
      });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat');
      expect(rows.map((r) => r['guid'])).toEqual(['fast-1', 'fast-2', 'fast-3', 'off', 'slow']);
    });

    it("keeps a sentry's rows together even when answers interleave", async () => {
      const many = (guid: string, delay_ms: number): MockSentry => ({
        guid,
        delay_ms,
        connections: Array.from({ length: 50 }, (_, i) => connection({ local_port: i })),
      });
      const host = new MockHost({ env: {}, sentries: [many('a', 5), many('b', 5), many('c', 5)] });
      const guids = (await run(host, 'sentry | fields guid | sentry-netstat')).map((r) => r['guid']);
      expect(guids).toHaveLength(150);
      const runs = guids.filter((g, i) => i === 0 || guids[i - 1] !== g);
      expect(runs).toEqual(['a', 'b', 'c']);
    });

    it.each([
      ['host config', { config: { [KEY]: 3 } }, 3],
      ['environment variable', { env: { [KEY]: '4' } }, 4],
      ['default', {}, 100],
    ])('has at most N RPCs in flight (N from the %s)', async (_source, options, bound) => {
      const host = new MockHost({ env: {}, ...options, sentries: sentries(150, 100) });
      const rows = await run(host, 'sentry | fields guid | sentry-netstat');
      expect(host.sentries.stats.maxInFlight).toBe(bound);
      expect(host.sentries.stats.calls).toBe(150);
      expect(new Set(rows.map((r) => r['guid'])).size).toBe(150);
    });

    it('makes a fast input wait (backpressure): no more than N + 1 records taken while N calls are in flight', async () => {
      let produced = 0;
      const flood: CommandParser = {
        name: 'flood',
        errors: [],
        help: {
          description: '',
          syntax: 'flood',
          properties: {
            commandType: 'driver',
            requiredPermission: 'none',
            licenseUsage: 'N/A',
            parallelExecution: false,
            distributedExecution: false,
          },
          options: [],
          inputFields: [],
          outputFields: [],
          runtimeErrors: [],
        },
        parse: (): QueryDriver => {
          let ctx!: CommandContext;
          return {
            onStart: (c) => {
              ctx = c;
            },
            run: async () => {
              for (let i = 0; i < 10_000 && !ctx.signal.aborted; i++) {
                produced++;
                await ctx.emit({ guid: 'slow' });
              }
            },
            onClose: () => undefined,
          };
        },
      };
      const host = new MockHost({
        env: {},
        commands: [flood],
        config: { [KEY]: 5 },
        sentries: [{ ...db, guid: 'slow', delay_ms: 60_000 }],
      });
      const rows: unknown[] = [];
      const query = host.start('flood | sentry-netstat', { onRecord: (r) => void rows.push(r) });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(host.sentries.stats.inFlight).toBe(5);
      expect(produced).toBeLessThanOrEqual(5 + 1);
      query.cancel();
      await query.done;
    });
  });

  describe('closing and cancelling', () => {
    it('on end, waits for the calls in flight', async () => {
      const host = new MockHost({ env: {}, sentries: sentries(10, 5_000) });
      let settled = false;
      const rows = host.query('sentry | fields guid | sentry-netstat').then((r) => {
        settled = true;
        return r;
      });
      await vi.advanceTimersByTimeAsync(4_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await rows).toHaveLength(10);
    });

    it('on cancel, aborts every call at once and leaves no timer behind', async () => {
      const host = new MockHost({ env: {}, sentries: sentries(20, 10_000) });
      const query = host.start('sentry | fields guid | sentry-netstat');
      await vi.advanceTimersByTimeAsync(100);
      expect(host.sentries.stats.inFlight).toBe(20);
      query.cancel();
      await expect(query.done).resolves.toEqual({ reason: 'cancel' });
      expect(host.sentries.stats.inFlight).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('an AbortSignal from the caller cancels the query', async () => {
      const host = new MockHost({ env: {}, sentries: sentries(3, 10_000) });
      const controller = new AbortController();
      const rows = host.query('sentry | fields guid | sentry-netstat', { signal: controller.signal });
      await vi.advanceTimersByTimeAsync(10);
      controller.abort();
      await expect(rows).resolves.toEqual([]);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('when a downstream limit is reached, aborts the remaining calls', async () => {
      const host = new MockHost({
        env: {},
        sentries: [{ ...web, delay_ms: 10 }, ...sentries(30, 100_000)],
      });
      const query = host.query('sentry | fields guid | sentry-netstat | limit 2');
      await vi.advanceTimersByTimeAsync(10);
      const rows = await query;
      expect(rows.map((r) => r['guid'])).toEqual(['web-01', 'web-01']);
      expect(host.sentries.stats.inFlight).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('permission and options through the host', () => {
    it('refuses a non-administrator with 23100 before running anything', () => {
      const host = new MockHost({ env: {}, users: { admin: { admin: true }, bob: { admin: false } }, sentries: [db] });
      expect(() => host.start('sentry | fields guid | sentry-netstat timeout=60', { user: 'bob' })).toThrow(
        expect.objectContaining({ code: 23100, message: 'No permission to call sentry RPC.' }),
      );
      expect(host.sentries.stats.calls).toBe(0);
    });

    it('reports the option error offset in the whole query', () => {
      const host = new MockHost({ env: {} });
      const query = 'sentry | fields guid | sentry-netstat timeout=0';
      let error: QueryParseError | undefined;
      try {
        host.start(query);
      } catch (e) {
        error = e as QueryParseError;
      }
      expect(error).toBeInstanceOf(QueryParseError);
      expect(error!.code).toBe(23101);
      expect(query.slice(error!.offset)).toBe('0');
    });

    it('refuses to start a query with sentry-netstat (it needs input)', () => {
      const host = new MockHost({ env: {} });
      expect(() => host.start('sentry-netstat')).toThrow(expect.objectContaining({ code: 90002 }));
    });
  });

  describe('scheduled saved searches', () => {
    it('run as their owner on their interval, keep results per run, and check permission at each run', async () => {
      const host = new MockHost({ env: {}, users: { alice: { admin: true } }, sentries: [db] });
      host.scheduler.schedule({
        name: 'listen',
        owner: 'alice',
        query: 'sentry | fields guid | sentry-netstat | search state == "LISTEN"',
        intervalMs: 60_000,
      });
      await vi.advanceTimersByTimeAsync(60_000 + 10);
      expect(host.scheduler.runs('listen')).toHaveLength(1);
      expect(host.scheduler.runs('listen')[0]!.records).toHaveLength(1);

      host.setUser('alice', { admin: false });
      await vi.advanceTimersByTimeAsync(60_000);
      const second = host.scheduler.runs('listen')[1]!;
      expect(second.records).toBeUndefined();
      expect(second.error).toEqual({ code: 23100, message: 'No permission to call sentry RPC.' });

      host.close();
      expect(vi.getTimerCount()).toBe(0);
    });

    it('are cancelled by close(): a run in progress stops, and no timer is left', async () => {
      const host = new MockHost({ env: {}, sentries: sentries(3, 500_000) });
      host.scheduler.schedule({
        name: 'slow',
        owner: 'admin',
        query: 'sentry | fields guid | sentry-netstat timeout=600',
        intervalMs: 1_000,
      });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(host.sentries.stats.inFlight).toBe(3);
      host.close();
      await vi.advanceTimersByTimeAsync(0);
      expect(host.sentries.stats.inFlight).toBe(0);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('refuse an interval Node cannot wait for (it would fire every millisecond)', () => {
      const host = new MockHost({ env: {} });
      const search = { name: 'monthly', owner: 'admin', query: 'sentry', intervalMs: 30 * 24 * 3_600_000 };
      expect(() => host.scheduler.schedule(search)).toThrow(RangeError);
      expect(() => host.scheduler.schedule({ ...search, intervalMs: 0 })).toThrow(RangeError);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('skip a tick while the previous run is still going', async () => {
      const host = new MockHost({ env: {}, sentries: [{ ...db, delay_ms: 25_000 }] });
      host.scheduler.schedule({ name: 'slow', owner: 'admin', query: 'sentry | fields guid | sentry-netstat', intervalMs: 10_000 });
      await vi.advanceTimersByTimeAsync(40_000);
      expect(host.scheduler.skipped('slow')).toBe(2);
      expect(host.scheduler.runs('slow')).toHaveLength(1);
      host.close();
    });
  });
});
