// Benchmark 5, sonar: the fan-out of benchmark 2 through a cluster — `sentry | fields guid | sonar-sentry-netstat`
// on a control node (`sentry-query control`) that joins 2 data-node processes (`sentry-query node --cluster-port`),
// each holding half the fleet through its own simulator process — next to `sentry | fields guid | sentry-netstat`
// on one node process whose simulator holds the whole fleet. Same N, 20 ms per RPC, 100 in flight (on the control
// node and on the single node), median of RUNS, the two set-ups taking turns so that load from
// elsewhere hits both alike. Every process runs at once (on loopback); queries go through runRemoteQuery from
// this process, so no CLI start-up is timed.
// Bounded: every wait has a time limit, every child is killed and the scratch directory removed at the end (and
// on SIGINT/SIGTERM).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRemoteQuery } from '../dist/src/remote/index.js';
import { simulatedCredentials } from '../dist/src/simulator/index.js';
import { waitForConnected } from './wait-for-connected.mjs';
import { median, msSince, processCpuMs, ratio, report, startChild, stopChildren, thousands, waitForLine } from './lib.mjs';

// 5,000: large enough that the query (ideal 1 s) dwarfs timer and start-up noise, small enough that the three
// fleets (2 × 2,500 + 5,000 simulated sentries) connect in a few seconds and the whole script stays near 30 s.
const SENTRIES = Number(process.env.BENCH_SONAR_SENTRIES ?? 5_000);
const RUNS = 3;
const LATENCY_MS = 20;
const PARALLEL = 100;
const CONNECTIONS = 3;
const QUERY_TIMEOUT_MS = 30_000;
const bin = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const ideal = Math.ceil(SENTRIES / PARALLEL) * LATENCY_MS;
// The control and single node take their parallel bound from this environment variable (no host config): pin it.
process.env['logpresso.core.sentry_rpc_parallel'] = String(PARALLEL);

if (!Number.isSafeInteger(SENTRIES) || SENTRIES < 2 || SENTRIES > 10_000)
  throw new Error(`BENCH_SONAR_SENTRIES must be 2..10000 (got ${SENTRIES})`);

const dir = mkdtempSync(join(tmpdir(), 'bench-sonar-'));
const removeDir = () => rmSync(dir, { recursive: true, force: true });
process.once('exit', removeDir);
const rows = [];
const notes = [];
try {
  const credentials = simulatedCredentials(SENTRIES);
  const half = Math.ceil(SENTRIES / 2);
  const keysFile = (name, list) => secretFile(name, JSON.stringify(Object.fromEntries(list.map((c) => [c.guid, c.key]))));
  const dn1Keys = keysFile('dn1-keys.json', credentials.slice(0, half));
  const dn2Keys = keysFile('dn2-keys.json', credentials.slice(half));
  const allKeys = keysFile('keys.json', credentials);
  const token = `bench-admin-token-${process.pid}`;
  const adminToken = secretFile('admin.token', token);
  const clusterToken = secretFile('cluster.token', `bench-cluster-token-${process.pid}`);

  // The processes: two data nodes and a single node, then their simulators, then the control node.
  const setupStart = process.hrtime.bigint();
  const dataNode = async (name, keys) => {
    const child = startChild(process.execPath, [
      bin,
      'node',
      '--name',
      name,
      '--listen',
      '0',
      '--keys',
      keys,
      '--cluster-port',
      '0',
      '--cluster-token-file',
      clusterToken,
    ]);
    const [listening, cluster] = await Promise.all([
      waitForLine(child, 'stdout', /^listening on ws:/, 15_000),
      waitForLine(child, 'stdout', /^cluster on ws:/, 15_000),
    ]);
    return { name, child, sentryUrl: listening.replace('listening on ', ''), clusterUrl: cluster.replace('cluster on ', '') };
  };
  const singleNode = async () => {
    const child = startChild(process.execPath, [
      bin,
      'node',
      '--listen',
      '0',
      '--keys',
      allKeys,
      '--query-port',
      '0',
      '--admin-token-file',
      adminToken,
    ]);
    const [listening, queries] = await Promise.all([
      waitForLine(child, 'stdout', /^listening on ws:/, 15_000),
      waitForLine(child, 'stdout', /^queries on ws:/, 15_000),
    ]);
    return { child, sentryUrl: listening.replace('listening on ', ''), queryUrl: queries.replace('queries on ', '') };
  };
  const [dn1, dn2, single] = await Promise.all([dataNode('dn1', dn1Keys), dataNode('dn2', dn2Keys), singleNode()]);
  const simulate = (url, keys) => {
    const child = startChild(process.execPath, [
      bin,
      'simulate',
      '--connect',
      url,
      '--keys',
      keys,
      '--connections',
      String(CONNECTIONS),
      '--latency-ms',
      String(LATENCY_MS),
    ]);
    return { child, ready: waitForLine(child, 'stderr', /simulated sentries connected/, 40_000) };
  };
  const sims = {
    dn1: simulate(dn1.sentryUrl, dn1Keys),
    dn2: simulate(dn2.sentryUrl, dn2Keys),
    single: simulate(single.sentryUrl, allKeys),
  };
  const control = startChild(process.execPath, [
    bin,
    'control',
    '--nodes',
    `dn1=${dn1.clusterUrl},dn2=${dn2.clusterUrl}`,
    '--cluster-token-file',
    clusterToken,
    '--query-port',
    '0',
    '--admin-token-file',
    adminToken,
  ]);
  const controlUrl = (await waitForLine(control, 'stdout', /^queries on ws:/, 15_000)).replace('queries on ', '');
  await Promise.all(Object.values(sims).map((s) => s.ready));
  // Ready when the control node's directory (refreshed every 2 s, its default) and the single node list every sentry.
  const [clusterListed, singleListed] = await Promise.all([
    waitForConnected(controlUrl, token, SENTRIES, 15_000),
    waitForConnected(single.queryUrl, token, SENTRIES, 15_000),
  ]);
  notes.push(
    `set-up: ${(msSince(setupStart) / 1000).toFixed(1)} s until the control node's directory lists ${thousands(clusterListed)} connected sentries ` +
      `(dn1 ${thousands(half)}, dn2 ${thousands(SENTRIES - half)}) and the single node ${thousands(singleListed)}`,
  );

  const setups = {
    sonar: {
      url: controlUrl,
      query: 'sentry | fields guid | sonar-sentry-netstat',
      processes: { control: control, 'data nodes': [dn1.child, dn2.child], simulators: [sims.dn1.child, sims.dn2.child] },
      expectedByNode: { dn1: half * CONNECTIONS, dn2: (SENTRIES - half) * CONNECTIONS },
    },
    single: {
      url: single.queryUrl,
      query: 'sentry | fields guid | sentry-netstat',
      processes: { node: single.child, simulator: sims.single.child },
      expectedByNode: { '(none)': SENTRIES * CONNECTIONS },
    },
  };
  const times = { sonar: [], single: [] };
  const cpu = { sonar: {}, single: {} };
  const failures = [];
  for (let run = 0; run <= RUNS; run++) {
    // run 0 warms every process up (JIT) and is not counted
    for (const [name, setup] of Object.entries(setups)) {
      const before = cpuOf(setup.processes);
      const { ms, records, errors, byNode } = await timedRemoteQuery(setup.url, token, setup.query);
      const after = cpuOf(setup.processes);
      if (run > 0) {
        times[name].push(ms);
        for (const key of Object.keys(after)) (cpu[name][key] ??= []).push(after[key] - before[key]);
      }
      const expected = SENTRIES * CONNECTIONS;
      if (records !== expected || errors !== 0 || JSON.stringify(byNode) !== JSON.stringify(setup.expectedByNode)) {
        failures.push(
          `${name} run ${run}: ${thousands(records)} records (expected ${thousands(expected)}), ${errors} _error, by node ${JSON.stringify(byNode)} (expected ${JSON.stringify(setup.expectedByNode)})`,
        );
      }
    }
  }

  const sonarMs = median(times.sonar);
  const singleMs = median(times.single);
  rows.push({
    measured: `sonar-sentry-netstat: control + 2 data-node processes, ${thousands(SENTRIES)} sentries, median of ${RUNS}`,
    figure: `${sonarMs.toFixed(0)} ms`,
    comparison: `sentry-netstat on one node ${singleMs.toFixed(0)} ms`,
    ratio: ratio(sonarMs, singleMs),
  });
  notes.push(
    `ideal ceil(${thousands(SENTRIES)}/${PARALLEL}) × ${LATENCY_MS} ms = ${thousands(ideal)} ms: sonar ${ratio(sonarMs, ideal)}, one node ${ratio(singleMs, ideal)}`,
  );
  notes.push(
    `sonar runs ${times.sonar.map((t) => t.toFixed(0)).join(', ')} ms; one-node runs ${times.single.map((t) => t.toFixed(0)).join(', ')} ms (taking turns, after one warm-up each)`,
  );
  notes.push(
    failures.length === 0
      ? `every run: ${thousands(SENTRIES * CONNECTIONS)} records (${CONNECTIONS} per sentry), no _error; every sonar record has node (dn1 ${thousands(half * CONNECTIONS)}, dn2 ${thousands((SENTRIES - half) * CONNECTIONS)})`
      : `record check FAILED: ${failures.join('; ')}`,
  );
  const cpuText = (name) =>
    Object.entries(cpu[name])
      .map(([key, values]) => `${key} ${median(values).toFixed(0)} ms`)
      .join(', ');
  if (!Number.isNaN(median(cpu.sonar.control ?? [NaN]))) {
    notes.push(`CPU per run (median): sonar — ${cpuText('sonar')}; one node — ${cpuText('single')} (${availableParallelism()} cores)`);
  }
  notes.push(
    `${LATENCY_MS} ms latency, parallel ${PARALLEL}, control --refresh-ms 2000 (default); every process on this one machine, loopback`,
  );
  if (failures.length > 0) process.exitCode = 1;
} finally {
  await stopChildren();
  removeDir();
}

report({
  id: 'sonar',
  title: `5. Sonar: sonar-sentry-netstat through a control node and 2 data nodes vs sentry-netstat on one node (${LATENCY_MS} ms per RPC, ${PARALLEL} in flight)`,
  rows,
  notes,
});

/** Writes `text` to a 0600 file in the scratch directory; returns its path. */
function secretFile(name, text) {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** Runs `query` and resolves with its wall time, its record count, how many carry `_error`, and records per `node`. */
async function timedRemoteQuery(url, token, query) {
  let records = 0;
  let errors = 0;
  const byNode = {};
  const start = process.hrtime.bigint();
  await runRemoteQuery({
    url,
    token,
    query,
    signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    onRecord: (row) => {
      records++;
      if (row._error !== undefined) errors++;
      const node = typeof row.node === 'string' ? row.node : '(none)';
      byNode[node] = (byNode[node] ?? 0) + 1;
    },
  });
  const ms = msSince(start);
  return { ms, records, errors, byNode: Object.fromEntries(Object.entries(byNode).sort(([a], [b]) => a.localeCompare(b))) };
}

/** CPU time used so far (ms) by each group of processes, and by this process (the query client). */
function cpuOf(processes) {
  const own = process.cpuUsage();
  const result = {};
  for (const [key, group] of Object.entries(processes)) {
    result[key] = [group].flat().reduce((sum, child) => sum + (processCpuMs(child.pid) ?? NaN), 0);
  }
  result.client = (own.user + own.system) / 1000;
  return result;
}
