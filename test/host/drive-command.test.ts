import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IpAddress, QueryParseError, hostConfigFrom, sentryNetstatCommand, type Row } from '../../src/index.js';
import { driveCommand, fieldsCommand, limitCommand, type DriveCommandOptions } from '../../src/host/index.js';
import { MockSentryConnector } from '../../sdk-mock/index.js';
import { connection, sentries } from '../helpers/fleet.js';

const KEY = 'logpresso.core.sentry_rpc_parallel';
const admin = { user: 'admin', isAdmin: true };

/** The guids as an async stream, counting how many records were pulled. */
function guidStream(guids: readonly string[]): { records: AsyncIterable<Row>; pulled: () => number } {
  let pulled = 0;
  async function* records(): AsyncGenerator<Row> {
    for (const guid of guids) {
      pulled++;
      yield { guid };
    }
  }
  return { records: records(), pulled: () => pulled };
}

function options(connector: MockSentryConnector, rows: Row[], extra: Partial<DriveCommandOptions> = {}): DriveCommandOptions {
  return { session: admin, config: hostConfigFrom(), env: {}, sentries: connector, onRecord: (row) => void rows.push(row), ...extra };
}

describe('driveCommand', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs sentry-netstat over an async stream of guids: rows in answer order, _error for an unknown guid', async () => {
    const connector = new MockSentryConnector([
      { guid: 'web-01', delay_ms: 20, connections: [connection({ pid: 812, local_port: 22 }), connection({ pid: 901, local_port: 443 })] },
      { guid: 'db-01', delay_ms: 10, connections: [connection({ pid: 900, local_port: 5432 })] },
    ]);
    const rows: Row[] = [];
    const driven = driveCommand(
      sentryNetstatCommand,
      ' timeout=60',
      guidStream(['web-01', 'db-01', 'nope']).records,
      options(connector, rows),
    );
    await vi.runAllTimersAsync();
    expect(await driven).toEqual({ reason: 'end', pushed: 3 });
    expect(rows.map((r) => [r['guid'], r['local_port'] ?? r['_error']])).toEqual([
      ['nope', 'not connected'],
      ['db-01', 5432],
      ['web-01', 22],
      ['web-01', 443],
    ]);
    expect(rows[1]).toMatchObject({ pid: 900, protocol: 'tcp', local_ip: IpAddress.parse('0.0.0.0'), state: 'LISTEN' });
  });

  it('pulls input no faster than the parallel bound lets calls start', async () => {
    const connector = new MockSentryConnector(sentries(20, 1_000));
    const stream = guidStream(sentries(20).map((s) => s.guid));
    const rows: Row[] = [];
    const driven = driveCommand(
      sentryNetstatCommand,
      '',
      stream.records,
      options(connector, rows, { config: hostConfigFrom({ [KEY]: 3 }) }),
    );
    await vi.advanceTimersByTimeAsync(500);
    expect(connector.stats.inFlight).toBe(3);
    // Three calls hold the slots; the fourth record waits in onPush for one, and nothing more is pulled.
    expect(stream.pulled()).toBe(4);
    await vi.runAllTimersAsync();
    expect(await driven).toEqual({ reason: 'end', pushed: 20 });
    expect(rows).toHaveLength(20);
    expect(connector.stats.maxInFlight).toBe(3);
  });

  it('awaits onRecord before pulling the next record', async () => {
    let release!: () => void;
    const rows: Row[] = [];
    const stream = guidStream(['a', 'b', 'c']);
    const driven = driveCommand(
      fieldsCommand,
      ' guid',
      stream.records,
      options(new MockSentryConnector(), rows, {
        onRecord: (row) => {
          rows.push(row);
          return new Promise<void>((resolve) => {
            release = resolve;
          });
        },
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(rows).toEqual([{ guid: 'a' }]);
    expect(stream.pulled()).toBe(1);
    for (let i = 0; i < 3; i++) {
      release();
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(await driven).toEqual({ reason: 'end', pushed: 3 });
    expect(rows).toEqual([{ guid: 'a' }, { guid: 'b' }, { guid: 'c' }]);
  });

  it('on cancel closes the command with cancel, aborts its calls and leaves no timer behind', async () => {
    const connector = new MockSentryConnector(sentries(5, 60_000));
    const controller = new AbortController();
    const rows: Row[] = [];
    const driven = driveCommand(
      sentryNetstatCommand,
      '',
      guidStream(sentries(5).map((s) => s.guid)).records,
      options(connector, rows, { signal: controller.signal }),
    );
    await vi.advanceTimersByTimeAsync(1_000);
    expect(connector.stats.inFlight).toBe(5);
    controller.abort();
    expect(await driven).toEqual({ reason: 'cancel', pushed: 5 });
    expect(connector.stats.inFlight).toBe(0);
    expect(rows).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('on cancel stops waiting for an input that never yields', async () => {
    const controller = new AbortController();
    const never: AsyncIterable<Row> = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<Row>>(() => undefined) }) };
    const driven = driveCommand(fieldsCommand, ' guid', never, options(new MockSentryConnector(), [], { signal: controller.signal }));
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    expect(await driven).toEqual({ reason: 'cancel', pushed: 0 });
  });

  it('stops pulling once the command calls finishUpstream', async () => {
    const stream = guidStream(['a', 'b', 'c', 'd']);
    let finished = 0;
    const rows: Row[] = [];
    const outcome = await driveCommand(
      limitCommand,
      ' 2',
      stream.records,
      options(new MockSentryConnector(), rows, {
        onFinishUpstream: () => {
          finished++;
        },
      }),
    );
    expect(outcome).toEqual({ reason: 'end', pushed: 2 });
    expect(rows).toEqual([{ guid: 'a' }, { guid: 'b' }]);
    expect(finished).toBe(1);
    expect(stream.pulled()).toBe(2);
  });

  it('rejects a parse error with QueryParseError before reading any input', async () => {
    const stream = guidStream(['web-01']);
    const error = await driveCommand(sentryNetstatCommand, ' timeout=0', stream.records, options(new MockSentryConnector(), [])).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueryParseError);
    expect((error as QueryParseError).code).toBe(23101);
    const refused = await driveCommand(
      sentryNetstatCommand,
      '',
      stream.records,
      options(new MockSentryConnector(), [], { session: { user: 'bob', isAdmin: false } }),
    ).catch((e: unknown) => e);
    expect((refused as QueryParseError).code).toBe(23100);
    expect(stream.pulled()).toBe(0);
  });

  it('closes the command with cancel and rejects when onRecord throws', async () => {
    const connector = new MockSentryConnector(sentries(3, 10));
    const failing = driveCommand(
      sentryNetstatCommand,
      '',
      guidStream(['s-0', 's-1', 's-2']).records,
      options(connector, [], {
        onRecord: () => {
          throw new Error('sink broke');
        },
      }),
    );
    const settled = failing.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await settled).toEqual(new Error('sink broke'));
    expect(connector.stats.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
