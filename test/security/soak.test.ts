// The soak and the leak check that every limit must leave intact (issue 11):
// - 10,000 simulated sentries (a `sentry-query simulate` child) on a real node (a `sentry-query node` child),
//   5 % that never answer and 5 % that drop their socket when called: one query gives every guid its rows or
//   exactly the one _error its fault predicts — 0 records lost.
// - 400 queries cancelled part-way through, in process: afterwards no call is pending on any link and no timer
//   or socket is left beyond those the idle connector and fleet hold.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockHost } from '../../sdk-mock/index.js';
import { KeyRegistry, WebSocketConnector } from '../../src/connector/index.js';
import { runRemoteQuery } from '../../src/remote/index.js';
import type { Row } from '../../src/index.js';
import { faultOf, simulatedCredentials, startFleet, type Fleet } from '../../src/simulator/index.js';

const bin = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');
const SENTRIES = 10_000;
const CONNECTIONS = 3;
const FAULTS = { timeoutFraction: 0.05, disconnectFraction: 0.05 };
const TOKEN = 'soak-admin-token-0123456789';

const children: ChildProcess[] = [];
let dir: string;

function start(...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/** The first line of `stream` matching each pattern, read by one reader; rejects if the process ends first. */
function linesMatching(child: ChildProcess, stream: 'stdout' | 'stderr', patterns: RegExp[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const found: (string | undefined)[] = patterns.map(() => undefined);
    const lines = createInterface({ input: child[stream]! });
    lines.on('line', (line) => {
      patterns.forEach((pattern, i) => {
        if (found[i] === undefined && pattern.test(line)) found[i] = line;
      });
      if (found.every((f) => f !== undefined)) {
        lines.close();
        resolve(found);
      }
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before printing ${patterns.join(', ')}`)));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soak-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('soak: 10,000 sentries with 5 % timeouts and 5 % disconnects', () => {
  it('every guid yields its rows or exactly the _error its fault predicts: 0 records lost', async () => {
    const credentials = simulatedCredentials(SENTRIES);
    const keys = join(dir, 'keys.json');
    await writeFile(keys, JSON.stringify(Object.fromEntries(credentials.map((c) => [c.guid, c.key]))), { mode: 0o600 });
    await writeFile(join(dir, 'admin.token'), `${TOKEN}\n`, { mode: 0o600 });
    const node = start('node', '--listen', '0', '--keys', keys, '--query-port', '0', '--admin-token-file', join(dir, 'admin.token'));
    const [listening, queries] = await linesMatching(node, 'stdout', [/^listening on ws:/, /^queries on ws:/]);
    const sentryUrl = listening!.replace('listening on ', '');
    const queryUrl = queries!.replace('queries on ', '');
    const simulator = start(
      'simulate',
      '--connect',
      sentryUrl,
      '--keys',
      keys,
      '--connections',
      String(CONNECTIONS),
      '--latency-ms',
      '5',
      '--jitter-ms',
      '5',
      '--timeout-fraction',
      String(FAULTS.timeoutFraction),
      '--disconnect-fraction',
      String(FAULTS.disconnectFraction),
    );
    await linesMatching(simulator, 'stderr', [new RegExp(`^${SENTRIES} simulated sentries connected`)]);

    const rows: Row[] = [];
    await runRemoteQuery({
      url: queryUrl,
      token: TOKEN,
      query: 'sentry | fields guid | sentry-netstat timeout=5',
      onRecord: (row) => void rows.push(row),
    });

    const byGuid = new Map<string, Row[]>();
    for (const row of rows) byGuid.set(row['guid'] as string, [...(byGuid.get(row['guid'] as string) ?? []), row]);
    const expected = { healthy: undefined, timeout: 'timeout', disconnect: 'disconnected', garbage: 'disconnected' } as const;
    const lost: string[] = [];
    credentials.forEach(({ guid }, index) => {
      const got = byGuid.get(guid) ?? [];
      const error = expected[faultOf(index, FAULTS)];
      const ok =
        error === undefined
          ? got.length === CONNECTIONS && got.every((r) => !('_error' in r))
          : got.length === 1 && got[0]!['_error'] === error;
      if (!ok) lost.push(`${guid}: ${JSON.stringify(got)}`);
    });
    expect(lost.slice(0, 5)).toEqual([]);
    expect(byGuid.size).toBe(SENTRIES);
    expect(node.exitCode).toBeNull();
  }, 240_000);
});

describe('400 cancelled queries leave nothing behind', () => {
  let connector: WebSocketConnector | undefined;
  let fleet: Fleet | undefined;
  afterAll(async () => {
    await fleet?.stop();
    await connector?.close();
  });

  it('no pending call, timer or socket beyond the idle baseline', async () => {
    const credentials = simulatedCredentials(200, 'leak-');
    connector = await WebSocketConnector.listen({
      keys: new KeyRegistry(credentials.map((c) => [c.guid, c.key] as const)),
      host: '127.0.0.1',
    });
    fleet = startFleet({
      url: `ws://127.0.0.1:${connector.address().port}`,
      sentries: credentials,
      connectionsPerSentry: 3,
      latencyMs: 20,
      jitterMs: 30,
      timeoutFraction: 0.05,
    });
    await fleet.ready;
    const host = new MockHost({ connector, env: {}, config: { 'logpresso.core.sentry_rpc_parallel': 50 } });
    const live = (): string[] =>
      process
        .getActiveResourcesInfo()
        .filter((r) => /^(TCP|TLS|Timeout|Immediate)/.test(r))
        .sort();
    const baseline = live();

    for (let i = 0; i < 400; i++) {
      let seen = 0;
      // Cancel after a varying number of records: mid fan-out, with calls queued, in flight and answered.
      const cancelAfter = (i * 37) % 500;
      const run = host.start('sentry | fields guid | sentry-netstat timeout=30', {
        onRecord: () => {
          if (++seen === cancelAfter) run.cancel();
        },
      });
      if (cancelAfter === 0) run.cancel();
      await expect(run.done).resolves.toMatchObject({ reason: expect.stringMatching(/^(cancel|end)$/) as unknown });
    }
    // Timers and sockets back to the idle baseline (libuv releases a closed handle a few turns later: bounded wait).
    const until = Date.now() + 10_000;
    while (live().join() !== baseline.join() && Date.now() < until) await new Promise((resolve) => setImmediate(resolve));
    expect(live()).toEqual(baseline);
    // And the fleet still answers a full query after all that.
    const rows = await host.query('sentry | fields guid | sentry-netstat timeout=2');
    expect(new Set(rows.map((r) => r['guid'])).size).toBe(200);
  }, 120_000);
});
