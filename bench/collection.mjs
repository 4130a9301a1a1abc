// Benchmark 1, agent collection: how long `sentry-query agent --once` (whole process) and the collector
// in-process take to list this host's sockets with their pids, next to `ss -tunap`, `ss -tuna` (no pids: the
// floor), `netstat -tunap` and systeminformation's networkConnections(), at 1,000 / 10,000 / 40,000 loopback
// sockets; and whether the counts agree with ss.
//
// The sockets come from bench/socket-holder.mjs processes (the open-files limit is 20,000 per process), started
// in parallel for each size and closed (RST, no TIME_WAIT) before the next. Every child is killed in `finally`,
// on SIGINT/SIGTERM, and by the holders' own 300 s cap. The tools are run in turn, the order rotating each round
// so that drift on this shared machine hits every tool alike; each figure is the median of the rounds.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { platform } from 'node:os';
import { promisify } from 'node:util';
import { collectLinuxConnections, collectLinuxConnectionsInParallel } from '../dist/src/agent/collect-linux.js';
import { socketOwners } from '../dist/src/agent/socket-owners.js';
import { holderPlan, killHolders, PER_HOLDER, plannedSockets, startHolders, stopHolders } from './holders.mjs';
import { median, msSince, ratio, report, thousands, timeCommand } from './lib.mjs';

const SIZES = [1_000, 10_000, 40_000];
/** Whole-process tools: rounds per size. systeminformation is slow and times out at large sizes: fewer rounds. */
const ROUNDS = 5;
const SI_ROUNDS = 3;
const SI_TIMEOUT_MS = 30_000;
const GOAL_RATIO = 0.5;

const execFileAsync = promisify(execFile);
const cli = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const OURS = [cli, 'agent', '--once', '--format', 'jsonl'];
// systeminformation in a fresh process, as an agent built on it would run: prints one JSON line, its count
// and, given HOLDER_PIDS, how many of the holders' sockets it saw.
const SI_SCRIPT = `
const si = await import(${JSON.stringify(import.meta.resolve('systeminformation'))});
const connections = await si.networkConnections();
const holders = new Set((process.env.HOLDER_PIDS ?? '').split(',').filter(Boolean).map(Number));
console.log(JSON.stringify({ total: connections.length, holders: connections.filter((c) => holders.has(c.pid)).length }));`;

if (platform() !== 'linux') {
  report({
    id: 'collection',
    title: '1. Agent collection',
    rows: [],
    notes: ['Not measured: the /proc collector, ss and netstat are Linux only.'],
  });
  process.exit(0);
}

/** One run of `command args`, its whole stdout. */
async function capture(command, args, env) {
  const { stdout } = await execFileAsync(command, args, { maxBuffer: 1 << 28, timeout: 60_000, ...(env && { env }) });
  return stdout;
}

const lines = (text) => text.split('\n').filter((line) => line !== '');

/** ss -tunap: records (lines minus the header), those of the holders, and the holders' unconnected UDP sockets. */
function countSs(text, pids) {
  const rows = lines(text).slice(1);
  const ofHolders = rows.filter((row) => pids.has(Number(/pid=(\d+),/.exec(row)?.[1])));
  return {
    total: rows.length,
    holders: ofHolders.length,
    holdersUnconnectedUdp: ofHolders.filter((row) => /^udp\s+UNCONN\s/.test(row)).length,
  };
}

/** agent --once --format jsonl: records and those of the holders. */
function countOurs(text, pids) {
  const rows = lines(text).map((line) => JSON.parse(line));
  return { total: rows.length, holders: rows.filter((row) => pids.has(row.pid)).length };
}

/** netstat -tunap: records (lines minus its two header lines) and those of the holders ("PID/name"). */
function countNetstat(text, pids) {
  const rows = lines(text).slice(2);
  return { total: rows.length, holders: rows.filter((row) => pids.has(Number(/\s(\d+)\/\S*\s*$/.exec(row)?.[1]))).length };
}

/**
 * The counts, taken so that other processes' sockets cannot skew them: ss just before and just after ours (the
 * host's total is compared only when those two agree; up to 3 tries), and for every tool the holders' sockets
 * alone (by pid), which nothing else on the host changes.
 */
async function takeCounts(pids) {
  let attempt;
  for (let tries = 1; tries <= 3; tries++) {
    const before = countSs(await capture('ss', ['-tunap']), pids);
    const ours = countOurs(await capture(process.execPath, OURS), pids);
    const after = countSs(await capture('ss', ['-tunap']), pids);
    attempt = { before, ours, after, tries, stable: before.total === after.total };
    if (attempt.stable) break;
  }
  const netstat = countNetstat(await capture('netstat', ['-tunap']), pids);
  let si;
  try {
    si = JSON.parse(
      await capture(process.execPath, ['--input-type=module', '-e', SI_SCRIPT], { ...process.env, HOLDER_PIDS: [...pids].join(',') }),
    );
  } catch (error) {
    si = { error: error.message.split('\n')[0] };
  }
  return { ...attempt, netstat, si };
}

/** Times every tool, ROUNDS rounds in a rotating order; systeminformation only in the first SI_ROUNDS. */
async function timeTools() {
  const tools = [
    { id: 'ours', run: () => timeCommand(process.execPath, OURS) },
    { id: 'ss -tunap', run: () => timeCommand('ss', ['-tunap']) },
    { id: 'ss -tuna', run: () => timeCommand('ss', ['-tuna']) },
    { id: 'netstat -tunap', run: () => timeCommand('netstat', ['-tunap']) },
    {
      id: 'in-process',
      run: async () => {
        const start = process.hrtime.bigint();
        collectLinuxConnections();
        return { ms: msSince(start) };
      },
    },
    {
      id: 'fd links',
      run: async () => {
        const start = process.hrtime.bigint();
        socketOwners();
        return { ms: msSince(start) };
      },
    },
    {
      id: 'in-process, 2 threads',
      run: async () => {
        const start = process.hrtime.bigint();
        await collectLinuxConnectionsInParallel();
        return { ms: msSince(start) };
      },
    },
    {
      id: 'si',
      rounds: SI_ROUNDS,
      run: () => timeCommand(process.execPath, ['--input-type=module', '-e', SI_SCRIPT], { timeoutMs: SI_TIMEOUT_MS }),
    },
  ];
  const times = Object.fromEntries(tools.map((tool) => [tool.id, []]));
  const failures = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[(i + round) % tools.length];
      if (round >= (tool.rounds ?? ROUNDS) || failures[tool.id]) continue;
      try {
        times[tool.id].push((await tool.run()).ms);
      } catch (error) {
        failures[tool.id] = error.message.split('\n')[0].slice(0, 200);
      }
    }
  }
  return {
    ms: Object.fromEntries(Object.entries(times).map(([id, list]) => [id, list.length ? median(list) : undefined])),
    runs: times,
    failures,
  };
}

const ms = (value) => (value === undefined ? 'failed' : `${thousands(value)} ms`);

function rowsFor(size, timing, counts, expectedHolders, nodeStartMs) {
  const n = thousands(size);
  const ss = timing.ms['ss -tunap'];
  const vsSs = (id, measured, extra = {}) => ({
    measured: `${measured}, ${n} sockets`,
    figure: ms(timing.ms[id]),
    comparison: `ss -tunap ${ms(ss)}`,
    ratio: timing.ms[id] === undefined ? '' : ratio(timing.ms[id], ss),
    ...extra,
  });
  const oursRatio = timing.ms.ours / ss;
  const atGoal = size === SIZES.at(-1);
  const rows = [
    vsSs(
      'ours',
      'ours: agent --once --format jsonl, whole process',
      atGoal ? { goal: `≤ ${GOAL_RATIO.toFixed(2)}×`, verdict: oursRatio <= GOAL_RATIO ? 'met' : 'not met' } : {},
    ),
    vsSs('ss -tuna', 'ss -tuna (no pids: the floor)'),
    vsSs('netstat -tunap', 'netstat -tunap'),
    vsSs('si', `systeminformation networkConnections(), fresh node process (median of ${timing.runs.si.length})`),
    vsSs('in-process, 2 threads', 'collectLinuxConnectionsInParallel() in-process, as the agent collects (not whole process)'),
    vsSs('in-process', 'collectLinuxConnections() in-process, one thread (not whole process)'),
    vsSs('fd links', 'of which the fd links alone: socketOwners() in-process, one readlink per fd'),
  ];
  const { before, ours, after, stable } = counts;
  const equal = ours.holders === before.holders && ours.holders === after.holders && (!stable || ours.total === before.total);
  rows.push({
    measured: `records, ours vs ss -tunap, ${n} sockets`,
    figure: `${thousands(ours.total)} (holders' ${thousands(ours.holders)})`,
    comparison: `ss ${thousands(before.total)}${after.total === before.total ? '' : `/${thousands(after.total)}`} (holders' ${thousands(before.holders)})`,
    ratio: '',
    ...(atGoal && { goal: 'equal', verdict: equal ? 'met' : 'not met' }),
  });
  rows.push({
    measured: `records, netstat -tunap, ${n} sockets`,
    figure: `${thousands(counts.netstat.total)} (holders' ${thousands(counts.netstat.holders)})`,
    comparison: `ss holders' ${thousands(before.holders)}`,
    ratio: '',
  });
  rows.push({
    measured: `records, systeminformation, ${n} sockets`,
    figure: counts.si.error ? 'failed' : `${thousands(counts.si.total)} (holders' ${thousands(counts.si.holders)})`,
    comparison: `ss holders' ${thousands(before.holders)}, of which unconnected UDP ${thousands(before.holdersUnconnectedUdp)}`,
    ratio: counts.si.error ? '' : `drops ${thousands(before.holders - counts.si.holders)}`,
  });
  const notes = [];
  if (before.holders !== expectedHolders)
    notes.push(`At ${n}: ss saw ${thousands(before.holders)} holder sockets, ${thousands(expectedHolders)} expected.`);
  if (!stable)
    notes.push(
      `At ${n}: the host's own sockets changed while the counts were taken (ss ${thousands(before.total)} before, ${thousands(after.total)} after ours); only the holders' sockets are compared.`,
    );
  for (const [id, message] of Object.entries(timing.failures)) notes.push(`At ${n}: ${id} failed (${message}).`);
  if (atGoal) {
    const floor = nodeStartMs + timing.ms['fd links'];
    notes.push(
      `At ${n}: Node start-up (${thousands(nodeStartMs)} ms) plus the fd links alone (${thousands(timing.ms['fd links'])} ms, the same readlinks ss -p makes) are already ${ratio(floor, ss)} of ss -tunap, before a byte of /proc/net is read or a record printed: what is left for the goal is ${thousands(GOAL_RATIO * ss - floor)} ms.`,
    );
    const ssRuns = timing.runs['ss -tunap'];
    notes.push(
      `At ${n}, ss -tunap took ${thousands(Math.min(...ssRuns))}–${thousands(Math.max(...ssRuns))} ms across the rounds (ours ${thousands(Math.min(...timing.runs.ours))}–${thousands(Math.max(...timing.runs.ours))} ms); on a shared machine both drift from run to run, so compare within one run.`,
    );
  }
  return { rows, notes };
}

/**
 * TIME_WAIT sockets left by an earlier run (a benchmark's processes killed, not closed) count in every tool's
 * list for up to 60 s and would skew the sizes: wait (at most 65 s) until the kernel has dropped them.
 */
async function waitForTimeWaitToClear() {
  const timeWait = () => Number(/^TCP: .* tw (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? 0);
  const start = process.hrtime.bigint();
  if (timeWait() > 500) console.log(`waiting for ${thousands(timeWait())} TIME_WAIT sockets of an earlier run to expire (≤ 65 s)`);
  while (timeWait() > 500 && msSince(start) < 65_000) await new Promise((resolve) => setTimeout(resolve, 1_000));
  return timeWait();
}

const leftInTimeWait = await waitForTimeWaitToClear();
const started = process.hrtime.bigint();
const rows = [];
const notes = [];
let holders;
// What any one-shot Node process pays before it does anything.
const nodeStart = [];
for (let i = 0; i < ROUNDS; i++) nodeStart.push((await timeCommand(process.execPath, ['-e', '0'])).ms);
try {
  for (const size of SIZES) {
    const plan = holderPlan(size);
    holders = await startHolders(plan);
    const pids = new Set(holders.map((h) => h.child.pid));
    // Each holder also holds a listener per TCP family it connects on.
    const expectedHolders = plannedSockets(plan);
    const timing = await timeTools();
    const counts = await takeCounts(pids);
    await stopHolders(holders);
    const result = rowsFor(size, timing, counts, expectedHolders, median(nodeStart));
    rows.push(...result.rows);
    notes.push(...result.notes);
    console.log(
      `${thousands(size)} sockets (${plan.map((c) => c.join('/')).join(' + ')}): ${Object.entries(timing.runs)
        .map(([id, list]) => `${id} [${list.map((t) => t.toFixed(0)).join(', ')}]`)
        .join('; ')}`,
    );
  }
} finally {
  killHolders();
}

report({
  id: 'collection',
  title: "1. Agent collection: this host's sockets with pids (agent --once) next to ss -tunap",
  rows,
  notes: [
    `Sockets from holder processes on loopback, per holder 3/8 tcp (127.0.0.1), 3/8 tcp6 (::1), 1/8 udp, 1/8 udp6, half of the UDP ones connected; at most ${thousands(PER_HOLDER)} a holder (40,000 = 3 holders). Plus whatever else the host has open.`,
    `Node start-up alone (node -e 0): ${thousands(median(nodeStart))} ms, part of every "ours" and systeminformation figure.`,
    `Times: medians of ${ROUNDS} rounds (systeminformation: ${SI_ROUNDS}, ${SI_TIMEOUT_MS / 1000} s timeout), the tools taking turns in a rotating order. Whole process = spawn to exit, stdout to a pipe, counted.`,
    'The in-process rows are the collector alone, in an already warm process: no start-up, no validation, no output; not comparable with the whole-process rows. The agent uses the two-thread one (a kept worker thread reads /proc/net, then joins the main thread in the walk of the fd links, the processes shared through one counter: src/agent/parallel-owners.ts).',
    "Counts: ss -tunap just before and just after ours; the host totals are compared only when those two agree, and every tool is compared on the holders' sockets (by pid), which nothing else changes. Holders' = the holders' sockets plus their TCP listeners.",
    'systeminformation keeps only netstat lines with a TCP-like state, so it drops unconnected UDP sockets (ss: UNCONN); its "drops" is ss\'s holder count minus its own.',
    ...notes,
    ...(leftInTimeWait > 500
      ? [`${thousands(leftInTimeWait)} TIME_WAIT sockets of an earlier run were still there after 65 s: they are in every tool's list.`]
      : []),
    `The benchmark took ${(msSince(started) / 1000).toFixed(0)} s.`,
  ],
});
