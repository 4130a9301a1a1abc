// Benchmark 2, fan-out efficiency: `sentry | fields guid | sentry-netstat` over N sentries that each answer
// after 20 ms, with 100 RPCs in flight (logpresso.core.sentry_rpc_parallel = 100). The ideal is
// ceil(N / 100) × 20 ms. Two set-ups, N = 1,000 and 10,000:
//   - in-memory: MockHost with N MockSentry objects (delay_ms 20), in this process;
//   - real sockets: a `sentry-query node` process with a query port, and `sentry-query simulate` processes
//     holding the fleet over real WebSockets on loopback (1,000 sentries in one, the other 9,000 in a second,
//     so one node process serves both sizes, warm); the query is sent with runRemoteQuery from this process.
// Bounded: every wait has a time limit, every child is killed and the scratch directory removed at the end
// (and on SIGINT/SIGTERM).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockHost } from '../dist/sdk-mock/index.js';
import { fakeConnections, simulatedCredentials } from '../dist/src/simulator/index.js';
import { runRemoteQuery } from '../dist/src/remote/index.js';
import { waitForConnected } from './wait-for-connected.mjs';
import { median, msSince, processCpuMs, ratio, report, startChild, stopChildren, thousands, waitForLine } from './lib.mjs';

const SIZES = [1_000, 10_000];
const RUNS = 3;
const WARM_UPS = 2; // real sockets: untimed runs of the node process before the first size is timed
const LATENCY_MS = 20;
const PARALLEL = 100;
const CONNECTIONS = 3; // per sentry, in each netstat answer
const GOAL = 1.1; // in-memory, N = 10,000
const QUERY = 'sentry | fields guid | sentry-netstat';
// The node's keys file holds every guid of the largest fleet, and `sentry` lists every registered guid
// (connected=false for those not connected yet): at N=1,000 only the connected ones are asked.
const REAL_QUERY = 'sentry | search connected == true | fields guid | sentry-netstat';
const QUERY_TIMEOUT_MS = 30_000; // one query; far above the ~2-4 s expected at 10,000
const bin = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const ideal = (n) => Math.ceil(n / PARALLEL) * LATENCY_MS;
// The node process takes its parallel bound from this environment variable (it has no host config): pin it.
process.env['logpresso.core.sentry_rpc_parallel'] = String(PARALLEL);

const rows = [];
const notes = [];

// ---- in-memory ----------------------------------------------------------------------------------------------
for (const n of SIZES) {
  const sentries = simulatedCredentials(n).map(({ guid }) => ({
    guid,
    delay_ms: LATENCY_MS,
    connections: fakeConnections(guid, CONNECTIONS),
  }));
  const host = new MockHost({ sentries, config: { 'logpresso.core.sentry_rpc_parallel': PARALLEL } });
  try {
    const times = [];
    const cpu = [];
    let checked = true;
    for (let run = 0; run <= RUNS; run++) {
      // run 0 warms up (JIT) and is not counted
      let records = 0;
      let errors = 0;
      const cpuBefore = process.cpuUsage();
      const start = process.hrtime.bigint();
      const query = host.start(QUERY, {
        onRecord: (row) => {
          records++;
          if (row._error !== undefined) errors++;
        },
      });
      const timer = setTimeout(() => query.cancel(), QUERY_TIMEOUT_MS);
      const outcome = await query.done;
      clearTimeout(timer);
      const ms = msSince(start);
      const used = process.cpuUsage(cpuBefore);
      if (run > 0) {
        times.push(ms);
        cpu.push((used.user + used.system) / 1000);
      }
      if (records !== n * CONNECTIONS || errors !== 0) {
        checked = false;
        process.exitCode = 1;
        notes.push(
          `in-memory N=${thousands(n)} run ${run}: ${thousands(records)} records (expected ${thousands(n * CONNECTIONS)}), ${errors} _error, outcome ${JSON.stringify(outcome)}`,
        );
      }
    }
    const { maxInFlight, calls } = host.sentries.stats;
    const ms = median(times);
    const met = ms / ideal(n) <= GOAL;
    rows.push({
      measured: `in-memory (MockHost), ${thousands(n)} sentries, median of ${RUNS}`,
      figure: `${ms.toFixed(0)} ms`,
      comparison: `ideal ${thousands(ideal(n))} ms`,
      ratio: ratio(ms, ideal(n)),
      ...(n === 10_000 && { goal: `≤ ${GOAL.toFixed(2)}×`, verdict: met ? 'met' : 'not met' }),
    });
    notes.push(
      `in-memory N=${thousands(n)}: runs ${times.map((t) => t.toFixed(0)).join(', ')} ms after one warm-up, CPU ${median(cpu).toFixed(0)} ms per run (median); ` +
        `${checked ? `every run: ${thousands(n * CONNECTIONS)} records (${CONNECTIONS} per sentry), no _error` : 'record check FAILED (above)'}; ` +
        `${thousands(calls)} calls, at most ${maxInFlight} in flight`,
    );
  } finally {
    host.close();
  }
}

// ---- real sockets -------------------------------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'bench-fan-out-'));
const removeDir = () => rmSync(dir, { recursive: true, force: true });
process.once('exit', removeDir);
try {
  const credentials = simulatedCredentials(Math.max(...SIZES));
  const keysFile = (name, list) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(Object.fromEntries(list.map((c) => [c.guid, c.key]))), { mode: 0o600 });
    return path;
  };
  const allKeys = keysFile('keys.json', credentials);
  const tokenFile = join(dir, 'admin.token');
  const token = `bench-admin-token-${process.pid}`;
  writeFileSync(tokenFile, token, { mode: 0o600 });

  const node = startChild(process.execPath, [
    bin,
    'node',
    '--listen',
    '0',
    '--keys',
    allKeys,
    '--query-port',
    '0',
    '--admin-token-file',
    tokenFile,
  ]);
  const sentryLine = waitForLine(node, 'stdout', /^listening on ws:/, 15_000);
  const queryLine = waitForLine(node, 'stdout', /^queries on ws:/, 15_000);
  const sentryUrl = (await sentryLine).replace('listening on ', '');
  const queryUrl = (await queryLine).replace('queries on ', '');
  const simulators = [];

  let connected = 0;
  for (const n of SIZES) {
    // Grow the fleet to n with one more simulator process holding the guids connected..n-1.
    const simKeys = keysFile(`sim-${n}.json`, credentials.slice(connected, n));
    const simulator = startChild(process.execPath, [
      bin,
      'simulate',
      '--connect',
      sentryUrl,
      '--keys',
      simKeys,
      '--connections',
      String(CONNECTIONS),
      '--latency-ms',
      String(LATENCY_MS),
    ]);
    simulators.push(simulator);
    const connectStart = process.hrtime.bigint();
    await waitForLine(simulator, 'stderr', /simulated sentries connected/, 40_000);
    const listed = await waitForConnected(queryUrl, token, n, 10_000);
    notes.push(
      `real sockets: ${thousands(n - connected)} more sentries connected in ${(msSince(connectStart) / 1000).toFixed(1)} s; the node lists ${thousands(listed)} connected`,
    );
    connected = n;

    const times = [];
    const cpu = { node: [], simulators: [], client: [] };
    let checked = true;
    // The node process's first runs warm it up (JIT) and are not counted; at 10,000 it is already warm.
    const warmUps = n === SIZES[0] ? WARM_UPS : 0;
    for (let run = 0; run < warmUps + RUNS; run++) {
      const before = cpuSnapshot(node, simulators);
      const { ms, records, errors } = await timedRemoteQuery(queryUrl, token, REAL_QUERY);
      const after = cpuSnapshot(node, simulators);
      if (run >= warmUps) {
        times.push(ms);
        for (const key of Object.keys(cpu)) cpu[key].push(after[key] - before[key]);
      }
      if (records !== n * CONNECTIONS || errors !== 0) {
        checked = false;
        process.exitCode = 1;
        notes.push(
          `real sockets N=${thousands(n)} run ${run}: ${thousands(records)} records (expected ${thousands(n * CONNECTIONS)}), ${errors} _error`,
        );
      }
    }
    const ms = median(times);
    rows.push({
      measured: `real WebSockets on loopback (node + simulator processes), ${thousands(n)} sentries, median of ${RUNS}`,
      figure: `${ms.toFixed(0)} ms`,
      comparison: `ideal ${thousands(ideal(n))} ms`,
      ratio: ratio(ms, ideal(n)),
    });
    const cpuText = Number.isNaN(median(cpu.node))
      ? ''
      : `; CPU per run (median): node ${median(cpu.node).toFixed(0)} ms, ` +
        `simulators ${median(cpu.simulators).toFixed(0)} ms, this client ${median(cpu.client).toFixed(0)} ms (${availableParallelism()} cores = ${(availableParallelism() * ms).toFixed(0)} ms of CPU in that time)`;
    notes.push(
      `real sockets N=${thousands(n)}: runs ${times.map((t) => t.toFixed(0)).join(', ')} ms${warmUps ? ` after ${warmUps} warm-ups` : ''}; ` +
        `${checked ? `every run: ${thousands(n * CONNECTIONS)} records, no _error` : 'record check FAILED (above)'}${cpuText}`,
    );
  }
  notes.push(
    `real sockets: \`${REAL_QUERY}\` (the node's keys file registers the largest fleet), timed in this process with runRemoteQuery (the node's query endpoint), so no CLI start-up is included; ${SIZES.length} simulator processes (${SIZES.map((s, i) => thousands(s - (SIZES[i - 1] ?? 0))).join(' + ')} sentries), ${LATENCY_MS} ms latency, parallel ${PARALLEL}`,
  );
} finally {
  await stopChildren();
  removeDir();
}

report({
  id: 'fan-out',
  title: `2. Fan-out efficiency: ${QUERY}, ${LATENCY_MS} ms per RPC, ${PARALLEL} in flight (ideal ceil(N/${PARALLEL}) × ${LATENCY_MS} ms)`,
  rows,
  notes,
});

/** Runs `query` on the node and resolves with its wall time, its record count and how many carry `_error`. */
async function timedRemoteQuery(url, token, query) {
  let records = 0;
  let errors = 0;
  const start = process.hrtime.bigint();
  await runRemoteQuery({
    url,
    token,
    query,
    signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    onRecord: (row) => {
      records++;
      if (row._error !== undefined) errors++;
    },
  });
  return { ms: msSince(start), records, errors };
}

/** CPU time used so far (ms) by the node, the simulators together, and this process. */
function cpuSnapshot(node, simulators) {
  const own = process.cpuUsage();
  return {
    node: processCpuMs(node.pid) ?? NaN,
    simulators: simulators.reduce((sum, s) => sum + (processCpuMs(s.pid) ?? NaN), 0),
    client: (own.user + own.system) / 1000,
  };
}
