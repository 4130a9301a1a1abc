// Benchmark 5, sonar on NATS: the fan-out of benchmark 2 through a cluster on NATS —
// `sentry | fields guid | sonar-sentry-netstat` on a control node (`sentry-query control --nats`) over 2 data-node
// processes (`sentry-query node --nats`), each on a different server of a 3-server routed NATS cluster and each
// holding half the fleet through its own simulator process — against
//   B. the same query, fleet split and simulator flags on the WebSocket cluster it replaced (commit 69de430, built
//      in a scratch git worktree: `control --nodes`, data nodes `--cluster-port`), and
//   C. `sentry | fields guid | sentry-netstat` on one node (`node --query-port`) whose simulator holds the whole fleet.
// 20 ms per RPC, 100 in flight (on the control nodes and on the single node), one warm-up then the median of RUNS,
// the three set-ups taking turns (A, B, C, A, B, C, ...) so that load from elsewhere hits them alike; all of them
// stay up for the whole comparison, the idle ones doing nothing. Queries go through runRemoteQuery from this
// process, so no CLI start-up is timed.
// Then the memory a data node on NATS spends per held sentry: (its RSS with N simulated sentries connected and
// listed by a control node − its RSS with none) / N, at N = 10,000 and 50,000, each size a separate run with its own
// nats-server, control node, data node(s) and simulator(s).
// Bounded: every wait has a time limit, every child is killed, the worktree removed and the scratch directory
// deleted at the end (and on SIGINT/SIGTERM).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRemoteQuery } from '../dist/src/remote/index.js';
import { simulatedCredentials } from '../dist/src/simulator/index.js';
import { waitForConnected } from './wait-for-connected.mjs';
import { median, msSince, processCpuMs, ratio, report, startChild, stopChildren, thousands, waitForLine } from './lib.mjs';

// 10,000 sentries × 20 ms at 100 in flight: ideally 100 rounds of 20 ms = 2.0 s, long enough to dwarf timer and
// start-up noise; 3 fleets of 10,000 connect in well under a minute.
const SENTRIES = Number(process.env.BENCH_SONAR_SENTRIES ?? 10_000);
const RSS_SIZES = (process.env.BENCH_SONAR_RSS_SIZES ?? '10000,50000').split(',').map(Number);
const RUNS = 3;
const LATENCY_MS = 20;
const PARALLEL = 100;
const CONNECTIONS = 3;
const NATS_SERVERS = 3;
const GOAL_RATIO = 1.15;
const QUERY_TIMEOUT_MS = 30_000;
/** The last commit with the WebSocket cluster (`control --nodes`, `node --cluster-port`). */
const WS_COMMIT = '69de430';
/** What one simulator process may hold: 25,000, or fewer when the descriptor limit is lower (one socket each). */
const SIMULATOR_MAX = 25_000;
const NATS_SERVER = '/usr/sbin/nats-server';
const repo = new URL('..', import.meta.url).pathname;
const bin = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const ideal = Math.ceil(SENTRIES / PARALLEL) * LATENCY_MS;
// The control and single nodes take their parallel bound from this environment variable (no host config): pin it.
process.env['logpresso.core.sentry_rpc_parallel'] = String(PARALLEL);

if (!Number.isSafeInteger(SENTRIES) || SENTRIES < 2 || SENTRIES > 10_000)
  throw new Error(`BENCH_SONAR_SENTRIES must be 2..10000 (got ${SENTRIES})`);
if (RSS_SIZES.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 100_000))
  throw new Error(`BENCH_SONAR_RSS_SIZES must be sizes 1..100000, comma-separated (got ${RSS_SIZES.join(',')})`);

const scriptStart = process.hrtime.bigint();
const dir = mkdtempSync(join(tmpdir(), 'bench-sonar-'));
let worktree; // the WebSocket cluster's worktree, once added
const cleanUp = () => {
  if (worktree !== undefined) {
    try {
      git(['worktree', 'remove', '--force', worktree]);
    } catch {
      rmSync(worktree, { recursive: true, force: true });
      try {
        git(['worktree', 'prune']);
      } catch {
        /* nothing more to do */
      }
    }
    worktree = undefined;
  }
  rmSync(dir, { recursive: true, force: true });
};
process.once('exit', cleanUp);
// Interrupted (even before the first child starts): exit, so that the 'exit' hooks kill the children and clean up.
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
]) {
  process.once(signal, () => process.exit(code));
}
const rows = [];
const notes = [];
let failed = false;
try {
  // ---- 1. the fan-out: NATS cluster (A), WebSocket cluster (B), one node (C) ----
  const credentials = simulatedCredentials(SENTRIES);
  const half = Math.ceil(SENTRIES / 2);
  const dn1Keys = keysFile('dn1-keys.json', credentials.slice(0, half));
  const dn2Keys = keysFile('dn2-keys.json', credentials.slice(half));
  const allKeys = keysFile('keys.json', credentials);
  const token = `bench-admin-token-${process.pid}`;
  const adminToken = secretFile('admin.token', token);
  const clusterToken = secretFile('cluster.token', `bench-cluster-token-${process.pid}`);

  const setupStart = process.hrtime.bigint();
  // The old code first (its build takes a few seconds), so that nothing else runs while it builds.
  const ws = await buildWebSocketCluster();
  const nats = await startNatsCluster(NATS_SERVERS);

  // A: two data nodes on different NATS servers, the control node on a third.
  const natsNode = async (name, keys, natsUrl) => {
    const child = startChild(process.execPath, [bin, 'node', '--listen', '0', '--keys', keys, '--name', name, '--nats', natsUrl]);
    const [listening] = await Promise.all([
      waitForLine(child, 'stdout', /^listening on ws:/, 15_000),
      waitForLine(child, 'stdout', /^data node \S+ on NATS /, 15_000),
    ]);
    return { name, child, sentryUrl: listening.replace('listening on ', '') };
  };
  const natsControl = async (natsUrl) => {
    const child = startChild(process.execPath, [bin, 'control', '--nats', natsUrl, '--query-port', '0', '--admin-token-file', adminToken]);
    const url = (await waitForLine(child, 'stdout', /^queries on ws:/, 15_000)).replace('queries on ', '');
    return { child, url };
  };
  // B: the WebSocket cluster, every process from the old build.
  const wsNode = async (name, keys) => {
    const child = startChild(process.execPath, [
      ws.bin,
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
  // C: one node with a query port.
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

  const [a1, a2, aControl, single, b1, b2] = await Promise.all([
    natsNode('dn1', dn1Keys, nats.urls[0]),
    natsNode('dn2', dn2Keys, nats.urls[1]),
    natsControl(nats.urls[2]),
    singleNode(),
    ...(ws.bin ? [wsNode('dn1', dn1Keys), wsNode('dn2', dn2Keys)] : []),
  ]);
  const sims = {
    a1: simulate(bin, a1.sentryUrl, dn1Keys),
    a2: simulate(bin, a2.sentryUrl, dn2Keys),
    single: simulate(bin, single.sentryUrl, allKeys),
    ...(ws.bin && { b1: simulate(ws.bin, b1.sentryUrl, dn1Keys), b2: simulate(ws.bin, b2.sentryUrl, dn2Keys) }),
  };
  let bControl;
  if (ws.bin) {
    const child = startChild(process.execPath, [
      ws.bin,
      'control',
      '--nodes',
      `dn1=${b1.clusterUrl},dn2=${b2.clusterUrl}`,
      '--cluster-token-file',
      clusterToken,
      '--query-port',
      '0',
      '--admin-token-file',
      adminToken,
    ]);
    bControl = { child, url: (await waitForLine(child, 'stdout', /^queries on ws:/, 15_000)).replace('queries on ', '') };
  }
  await Promise.all(Object.values(sims).map((s) => s.ready));
  // Ready when each control node's directory and the single node list every sentry.
  const listed = await Promise.all([
    waitForConnected(aControl.url, token, SENTRIES, 30_000),
    ...(bControl ? [waitForConnected(bControl.url, token, SENTRIES, 30_000)] : []),
    waitForConnected(single.queryUrl, token, SENTRIES, 30_000),
  ]);
  notes.push(
    `set-up: ${(msSince(setupStart) / 1000).toFixed(1)} s (${ws.bin ? `the WebSocket cluster's worktree built in ${(ws.buildMs / 1000).toFixed(1)} s, ` : ''}` +
      `${NATS_SERVERS} nats-servers routed) until every control node and the single node list ${listed.map(thousands).join(' / ')} connected sentries`,
  );

  const byNode = { dn1: half * CONNECTIONS, dn2: (SENTRIES - half) * CONNECTIONS };
  const natsProcesses = Object.fromEntries(nats.children.map((child, i) => [`nats-server n${i}`, child]));
  const setups = {
    nats: {
      label: 'NATS cluster',
      url: aControl.url,
      query: 'sentry | fields guid | sonar-sentry-netstat',
      processes: {
        control: aControl.child,
        dn1: a1.child,
        dn2: a2.child,
        'sim dn1': sims.a1.child,
        'sim dn2': sims.a2.child,
        ...natsProcesses,
      },
      expectedByNode: byNode,
    },
    ...(bControl && {
      ws: {
        label: 'WebSocket cluster',
        url: bControl.url,
        query: 'sentry | fields guid | sonar-sentry-netstat',
        processes: { control: bControl.child, dn1: b1.child, dn2: b2.child, 'sim dn1': sims.b1.child, 'sim dn2': sims.b2.child },
        expectedByNode: byNode,
      },
    }),
    single: {
      label: 'one node',
      url: single.queryUrl,
      query: 'sentry | fields guid | sentry-netstat',
      processes: { node: single.child, simulator: sims.single.child },
      expectedByNode: { '(none)': SENTRIES * CONNECTIONS },
    },
  };
  // What the idle set-ups cost the one being measured: CPU of every process over 2 s with no query running
  // (heartbeats, directory refreshes, the NATS servers' pings).
  const everyProcess = Object.entries(setups).flatMap(([, setup]) =>
    Object.entries(setup.processes).map(([key, child]) => [`${setup.label} ${key}`, child]),
  );
  const idleBefore = everyProcess.map(([, child]) => processCpuMs(child.pid) ?? NaN);
  const idleStart = process.hrtime.bigint();
  await sleep(2_000);
  const idleSeconds = msSince(idleStart) / 1000;
  const idle = everyProcess
    .map(([key, child], i) => [key, ((processCpuMs(child.pid) ?? NaN) - idleBefore[i]) / idleSeconds])
    .sort(([, a], [, b]) => b - a);
  const idleTotal = idle.reduce((sum, [, value]) => sum + value, 0);
  notes.push(
    `idle load (2 s with no query, all set-ups up): ${idleTotal.toFixed(0)} ms CPU per s in all` +
      (idle.some(([, value]) => value > 0)
        ? `, most ${idle
            .filter(([, value]) => value > 0)
            .slice(0, 3)
            .map(([key, value]) => `${key} ${value.toFixed(0)}`)
            .join(', ')}`
        : ''),
  );
  const times = Object.fromEntries(Object.keys(setups).map((name) => [name, []]));
  const cpu = Object.fromEntries(Object.keys(setups).map((name) => [name, {}]));
  const failures = [];
  const expected = SENTRIES * CONNECTIONS;
  // CPU the whole machine spends during the runs, to tell how much of it came from outside this benchmark.
  const ownCpu = () => everyProcess.reduce((sum, [, child]) => sum + (processCpuMs(child.pid) ?? 0), 0) + cpuOf({}).client;
  const machineBefore = machineCpuMs();
  const ownBefore = ownCpu();
  const runsStart = process.hrtime.bigint();
  for (let run = 0; run <= RUNS; run++) {
    // run 0 warms every process up (JIT) and is not counted
    for (const [name, setup] of Object.entries(setups)) {
      const before = cpuOf(setup.processes);
      let result;
      try {
        result = await timedRemoteQuery(setup.url, token, setup.query);
      } catch (error) {
        failures.push(`${setup.label} run ${run}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      const after = cpuOf(setup.processes);
      const { ms, records, errors, byNode: seen } = result;
      if (run > 0) {
        times[name].push(ms);
        for (const key of Object.keys(after)) (cpu[name][key] ??= []).push(after[key] - before[key]);
      }
      if (records !== expected || errors !== 0 || JSON.stringify(seen) !== JSON.stringify(setup.expectedByNode)) {
        failures.push(
          `${setup.label} run ${run}: ${thousands(records)} records (expected ${thousands(expected)}), ${errors} _error, by node ${JSON.stringify(seen)} (expected ${JSON.stringify(setup.expectedByNode)})`,
        );
      }
    }
  }
  const runsSeconds = msSince(runsStart) / 1000;
  const machineUsed = machineCpuMs() - machineBefore;
  const ownUsed = ownCpu() - ownBefore;
  // Part 1 is over: nothing of it may run while memory is measured.
  await stopChildren();

  const medianOf = (name) => (times[name]?.length ? median(times[name]) : NaN);
  const natsMs = medianOf('nats');
  const wsMs = medianOf('ws');
  const singleMs = medianOf('single');
  const ms = (value) => `${thousands(value)} ms`;
  rows.push({
    measured: `sonar-sentry-netstat on NATS: control + 2 data nodes, ${NATS_SERVERS} routed nats-servers, ${thousands(SENTRIES)} sentries × ${LATENCY_MS} ms, parallel ${PARALLEL}, median of ${RUNS}`,
    figure: ms(natsMs),
    comparison: `ideal ceil(${thousands(SENTRIES)}/${PARALLEL}) × ${LATENCY_MS} ms = ${ms(ideal)}`,
    ratio: ratio(natsMs, ideal),
    goal: `≤ ${GOAL_RATIO.toFixed(2)}×`,
    verdict: natsMs / ideal <= GOAL_RATIO ? 'met' : 'not met',
  });
  if (ws.bin) {
    rows.push({
      measured: `the same on NATS against the WebSocket cluster it replaced (${WS_COMMIT}: control --nodes, 2 data nodes --cluster-port), same fleet split`,
      figure: ms(natsMs),
      comparison: `WebSocket cluster ${ms(wsMs)}`,
      ratio: ratio(natsMs, wsMs),
    });
  }
  rows.push({
    measured: `sentry-netstat on one node (its query port), all ${thousands(SENTRIES)} sentries through one simulator, median of ${RUNS}`,
    figure: ms(singleMs),
    comparison: `ideal ${ms(ideal)}`,
    ratio: ratio(singleMs, ideal),
  });
  if (!ws.bin) notes.push(`WebSocket-cluster comparison SKIPPED: ${ws.skipped}`);
  notes.push(
    `per-run times (taking turns, after one warm-up each): ${Object.entries(setups)
      .map(([name, setup]) => `${setup.label} ${times[name].map((t) => t.toFixed(0)).join(', ')} ms`)
      .join('; ')}`,
  );
  notes.push(
    failures.length === 0
      ? `every run: ${thousands(expected)} records (${CONNECTIONS} per sentry), no _error; every sonar record has node (dn1 ${thousands(byNode.dn1)}, dn2 ${thousands(byNode.dn2)})`
      : `record check FAILED: ${failures.join('; ')}`,
  );
  for (const [name, setup] of Object.entries(setups)) {
    const perProcess = Object.entries(cpu[name])
      .map(([key, values]) => `${key} ${median(values).toFixed(0)}`)
      .join(', ');
    if (perProcess) notes.push(`CPU ms per run (median), ${setup.label}: ${perProcess} (client: this process, the query client)`);
  }
  if (!Number.isNaN(machineUsed)) {
    notes.push(
      `machine CPU during the ${RUNS + 1} rounds (${runsSeconds.toFixed(0)} s): ${(machineUsed / runsSeconds).toFixed(0)} ms per s of ${availableParallelism() * 1000}, ` +
        `of which ${(Math.max(0, machineUsed - ownUsed) / runsSeconds).toFixed(0)} ms per s by processes not this benchmark's (user + system time, /proc/stat)`,
    );
  }
  notes.push(
    `${LATENCY_MS} ms latency, parallel ${PARALLEL}, simulators --connections ${CONNECTIONS}; ${NATS_SERVERS} nats-servers (${natsVersion()}) routed on loopback, ` +
      `dn1 on n0, dn2 on n1, the control node on n2; every process of the three set-ups (all up at once, the idle ones idle) on this one machine, ${availableParallelism()} cores, loopback`,
  );
  if (failures.length > 0) failed = true;

  // ---- 2. RSS per held sentry of a data node on NATS ----
  const fdLimit = openFilesLimit();
  // A node holds one descriptor per sentry, plus its own few; keep 1,000 spare.
  const perProcess = Math.max(1, Math.min(fdLimit - 1_000, 100_000));
  const simulatorMax = Math.min(SIMULATOR_MAX, perProcess);
  for (const n of RSS_SIZES) {
    const result = await measureRss(n, perProcess, simulatorMax, token, adminToken);
    await stopChildren();
    const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    const nodesText =
      result.nodes === 1 ? '1 data node' : `${result.nodes} data nodes of ≤ ${thousands(Math.ceil(n / result.nodes))} sentries`;
    rows.push({
      measured: `data node on NATS: RSS per held sentry, ${thousands(n)} simulated sentries (${nodesText}, ${result.simulators} simulator${result.simulators === 1 ? '' : 's'})`,
      figure: `${thousands(result.perSentry)} bytes/sentry`,
      comparison: `RSS ${mb(result.baseline)} with 0 sentries → ${mb(result.total)} with ${thousands(n)}`,
      ratio: '',
    });
    notes.push(
      `RSS at ${thousands(n)}: ${result.perNode.map((p) => `${p.name} ${thousands(p.sentries)} sentries ${mb(p.before)} → ${mb(p.after)}`).join('; ')}; ` +
        `read from /proc/PID/status VmRSS 1 s after the control node listed all ${thousands(n)} connected (${(result.connectMs / 1000).toFixed(1)} s after the simulators started)` +
        (result.nodes > 1
          ? `; split over ${result.nodes} data nodes because a process may open only ${thousands(fdLimit)} descriptors here (RLIMIT_NOFILE) and a node holds one per sentry: the figure is the nodes' RSS growth together / ${thousands(n)}`
          : ''),
    );
  }
} catch (error) {
  failed = true;
  notes.push(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
  console.error(error);
} finally {
  await stopChildren();
  cleanUp();
}
notes.push(`the whole script took ${(msSince(scriptStart) / 1000).toFixed(0)} s`);
if (failed) process.exitCode = 1;

report({
  id: 'sonar',
  title: `5. Sonar on NATS: sonar-sentry-netstat through a control node, 2 data nodes and ${NATS_SERVERS} routed nats-servers vs the WebSocket cluster and sentry-netstat on one node (${LATENCY_MS} ms per RPC, ${PARALLEL} in flight); RSS per held sentry of a data node on NATS`,
  rows,
  notes,
});

// ---- helpers ----

/** Writes `text` to a 0600 file in the scratch directory; returns its path. */
function secretFile(name, text) {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** A connector's keys file (guid → key) for these credentials. */
function keysFile(name, list) {
  return secretFile(name, JSON.stringify(Object.fromEntries(list.map((c) => [c.guid, c.key]))));
}

/** Runs git in the repository (≤ 30 s); returns its stdout. */
function git(args) {
  const result = spawnSyncBounded('git', args, { cwd: repo, timeoutMs: 30_000 });
  if (result.error) throw new Error(`git ${args.join(' ')}: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(
      `git ${args.join(' ')}: ${result.signal ? `killed (${result.signal})` : `exit ${result.status}`}${result.stderr.trim() ? ` ${result.stderr.trim()}` : ''}`,
    );
  return result.stdout;
}

/** `spawnSync` with a time limit and text output. */
function spawnSyncBounded(command, args, { cwd, timeoutMs }) {
  return spawnSync(command, args, { cwd, timeout: timeoutMs, encoding: 'utf8', killSignal: 'SIGKILL' });
}

/** Runs `command args` in `cwd` to completion (output drained), killed after `timeoutMs`; rejects on failure. */
function runToEnd(command, args, { cwd, timeoutMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk) => {
      output = (output + chunk).slice(-2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const kill = () => child.kill('SIGKILL');
    process.once('exit', kill);
    const timer = setTimeout(kill, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      process.off('exit', kill);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      process.off('exit', kill);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')}: ${signal ? `killed (${signal})` : `exit ${code}`}: ${output.trim()}`));
    });
  });
}

/**
 * The WebSocket cluster of commit WS_COMMIT: a detached worktree in the scratch directory, the repository's
 * node_modules linked in, built. Resolves with its CLI, or with why it was skipped (no git, no such commit, a
 * failed build).
 */
async function buildWebSocketCluster() {
  try {
    git(['rev-parse', '--verify', '--quiet', `${WS_COMMIT}^{commit}`]);
  } catch (error) {
    return { skipped: `git or commit ${WS_COMMIT} unavailable (${error instanceof Error ? error.message.split('\n')[0] : error})` };
  }
  const path = join(dir, 'ws-cluster');
  try {
    git(['worktree', 'add', '--detach', path, WS_COMMIT]);
    worktree = path;
    symlinkSync(join(repo, 'node_modules'), join(path, 'node_modules'), 'dir');
    const start = process.hrtime.bigint();
    await runToEnd('npm', ['run', 'build'], { cwd: path, timeoutMs: 120_000 });
    return { bin: join(path, 'dist/src/cli/main.js'), buildMs: msSince(start) };
  } catch (error) {
    return {
      skipped: `could not build commit ${WS_COMMIT} in a worktree (${error instanceof Error ? error.message.split('\n')[0] : error})`,
    };
  }
}

/** `count` distinct free loopback ports: all listened on at once (so no duplicates), then released. */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

/**
 * `size` nats-servers on loopback (free client, monitoring and, for more than one, route ports), routed to each
 * other as cluster `sentry`; resolves once every server's /routez shows size − 1 routes (≤ 15 s).
 */
async function startNatsCluster(size) {
  const ports = await freePorts(3 * size);
  const client = ports.slice(0, size);
  const monitor = ports.slice(size, 2 * size);
  const route = ports.slice(2 * size);
  const children = client.map((port, i) => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-m', String(monitor[i]), '-n', `n${i}`];
    if (size > 1) {
      const routes = route.filter((_, j) => j !== i).map((p) => `nats://127.0.0.1:${p}`);
      args.push('--cluster_name', 'sentry', '--cluster', `nats://127.0.0.1:${route[i]}`, '--routes', routes.join(','));
    }
    return startChild(NATS_SERVER, args);
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const dead = children.findIndex((child) => child.exitCode !== null || child.signalCode !== null);
    if (dead !== -1) throw new Error(`nats-server n${dead} exited at start: ${children[dead].stderrTail.trim()}`);
    const routes = await Promise.all(
      monitor.map(async (port) => {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/${size > 1 ? 'routez' : 'varz'}`, { signal: AbortSignal.timeout(1_000) });
          return response.ok ? (size > 1 ? (await response.json()).num_routes : 0) : undefined;
        } catch {
          return undefined;
        }
      }),
    );
    if (routes.every((n) => n === size - 1)) break;
    if (Date.now() > deadline)
      throw new Error(`nats-servers not routed within 15 s (routes ${JSON.stringify(routes)}, want ${size - 1} each)`);
    await sleep(100);
  }
  return { urls: client.map((port) => `nats://127.0.0.1:${port}`), children };
}

function natsVersion() {
  try {
    return spawnSyncBounded(NATS_SERVER, ['--version'], { timeoutMs: 5_000 }).stdout.trim();
  } catch {
    return 'nats-server';
  }
}

/** A simulator process (CLI `cli`) holding the sentries of `keys` on `url`; `ready` once all are connected. */
function simulate(cli, url, keys, readyMs = 90_000) {
  const child = startChild(process.execPath, [
    cli,
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
  return { child, ready: waitForLine(child, 'stderr', /simulated sentries connected/, readyMs) };
}

/**
 * CPU time (ms) the machine's processes have used so far, all cores (/proc/stat: user + nice + system; not irq and
 * softirq, which the kernel charges to no process, and where most of the loopback traffic's own cost goes); NaN
 * elsewhere.
 */
function machineCpuMs() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return ((fields[0] + fields[1] + fields[2]) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** Resident set size of process `pid`, bytes (VmRSS of /proc/PID/status). */
function rssBytes(pid) {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** The hard limit on open files (what Node raises its own soft limit to), from /proc/self/limits. */
function openFilesLimit() {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const hard = line?.trim().split(/\s+/)[4];
    return hard === 'unlimited' ? 1_000_000 : Number(hard) || 1_024;
  } catch {
    return 1_024;
  }
}

/**
 * One RSS run: a nats-server, a control node, as many data nodes as the descriptor limit needs for `n` sentries
 * (one when it allows), RSS of each with none; then simulators (≤ simulatorMax each) connect all `n`; once the
 * control node lists `n` connected, RSS again.
 */
async function measureRss(n, perProcess, simulatorMax, token, adminToken) {
  const nodes = Math.ceil(n / perProcess);
  const credentials = simulatedCredentials(n, `rss${n}-`);
  const server = await startNatsCluster(1);
  const natsUrl = server.urls[0];
  const control = startChild(process.execPath, [bin, 'control', '--nats', natsUrl, '--query-port', '0', '--admin-token-file', adminToken]);
  const controlUrl = (await waitForLine(control, 'stdout', /^queries on ws:/, 15_000)).replace('queries on ', '');
  const share = Math.ceil(n / nodes);
  const held = [];
  for (let i = 0; i < nodes; i++) {
    const list = credentials.slice(i * share, (i + 1) * share);
    const keys = keysFile(`rss-${n}-${i}.json`, list);
    const name = `rss${i}`;
    const child = startChild(process.execPath, [bin, 'node', '--listen', '0', '--keys', keys, '--name', name, '--nats', natsUrl]);
    const [listening] = await Promise.all([
      waitForLine(child, 'stdout', /^listening on ws:/, 15_000),
      waitForLine(child, 'stdout', /^data node \S+ on NATS /, 15_000),
    ]);
    held.push({ name, child, keys, list, url: listening.replace('listening on ', '') });
  }
  // Announced (heartbeats every second) and settled: the baseline.
  await sleep(1_500);
  for (const node of held) node.before = rssBytes(node.child.pid);
  const start = process.hrtime.bigint();
  const simulators = [];
  for (const node of held) {
    const parts = Math.ceil(node.list.length / simulatorMax);
    const size = Math.ceil(node.list.length / parts);
    for (let p = 0; p < parts; p++) {
      const keys = parts === 1 ? node.keys : keysFile(`rss-${n}-${node.name}-${p}.json`, node.list.slice(p * size, (p + 1) * size));
      simulators.push(simulate(bin, node.url, keys, 120_000));
    }
  }
  await Promise.all(simulators.map((s) => s.ready));
  await waitForConnected(controlUrl, token, n, 60_000);
  const connectMs = msSince(start);
  await sleep(1_000);
  for (const node of held) node.after = rssBytes(node.child.pid);
  const baseline = held.reduce((sum, node) => sum + node.before, 0);
  const total = held.reduce((sum, node) => sum + node.after, 0);
  return {
    nodes,
    simulators: simulators.length,
    baseline,
    total,
    perSentry: (total - baseline) / n,
    connectMs,
    perNode: held.map((node) => ({ name: node.name, sentries: node.list.length, before: node.before, after: node.after })),
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
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

/** CPU time used so far (ms) by each process, and by this process (the query client). */
function cpuOf(processes) {
  const own = process.cpuUsage();
  const result = {};
  for (const [key, child] of Object.entries(processes)) result[key] = processCpuMs(child.pid) ?? NaN;
  result.client = (own.user + own.system) / 1000;
  return result;
}
