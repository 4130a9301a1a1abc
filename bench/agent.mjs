// Benchmark 6, the agent against the tools people use (issue 15, speed): at 5,000 and 40,000 loopback sockets,
// in one run,
//   - `ss -tunap` whole process (stdout to /dev/null),
//   - psutil's net_connections() whole process (`python3 -c`, Debian's python3-psutil; installed here with
//     apt-get when missing, and the column skipped, not failed, when it cannot be),
//   - `sentry-query agent --once --format jsonl > /dev/null` whole process,
//   - the connected agent's netstat RPC: a real `sentry-query agent --connect` process linked over loopback
//     WebSocket to a node played by this process (challenge, welcome, then JSON-RPC requests); timed from the
//     request's send to the answer's arrival: collection + encoding + one round trip, no start-up.
// Whole-process tools take turns in a rotating order, ROUNDS rounds; each figure is a median.
//
// The sockets come from bench/socket-holder.mjs processes (bench/holders.mjs: ≤ 13,400 each, so 40,000 = 3
// holders), closed (RST, no TIME_WAIT) before the next size. Every child is killed at the end, on SIGINT/SIGTERM
// and by the holders' own 300 s cap.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocketServer } from 'ws';
import { challengeText, newNonce } from '../dist/src/rpc/challenge.js';
import { holderPlan, killHolders, plannedSockets, startHolders, stopHolders, waitForTimeWaitToClear } from './holders.mjs';
import { median, msSince, ratio, report, thousands } from './lib.mjs';

const SIZES = [5_000, 40_000];
const ROUNDS = 5;
/** Timed netstat RPCs per size (after one untimed), each ≥ RPC_SPACING_MS after the last: the agent collects at most once a second. */
const RPC_CALLS = 7;
const RPC_SPACING_MS = 1_150;
const GOALS = {
  rpcVsSs: 0.5, // at 40,000
  onceVsSsSmall: 1.5, // at 5,000
  onceVsPsutilSmall: 1.0, // at 5,000
  onceVsSsLarge: 0.6, // at 40,000
};

const execFileAsync = promisify(execFile);
const cli = new URL('../dist/src/cli/main.js', import.meta.url).pathname;
const ONCE = [cli, 'agent', '--once', '--format', 'jsonl'];
const PSUTIL_SCRIPT = 'import psutil; psutil.net_connections()';

if (platform() !== 'linux') {
  report({
    id: 'agent',
    title: '6. The agent next to ss and psutil',
    rows: [],
    notes: ['Not measured: ss and the /proc collector are Linux only.'],
  });
  process.exit(0);
}

/** Where psutil is: Debian's python3-psutil under /usr/bin/python3, installed with apt-get if missing. */
function findPsutil() {
  const probe = (python) => {
    const r = spawnSync(python, ['-c', 'import psutil, sys; print(psutil.__version__, psutil.__file__, sys.version.split()[0])'], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    return r.status === 0 ? { python, about: r.stdout.trim() } : undefined;
  };
  const found = probe('/usr/bin/python3');
  if (found) return { ...found, installed: false };
  const notes = ['psutil: /usr/bin/python3 cannot import psutil'];
  if (process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { timeout: 5_000 }).status === 0) {
    const install = () =>
      spawnSync('apt-get', ['install', '-y', '-qq', 'python3-psutil'], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    let r = install();
    if (r.status !== 0) {
      spawnSync('apt-get', ['update', '-qq'], { timeout: 120_000 });
      r = install();
    }
    const after = probe('/usr/bin/python3');
    if (after) return { ...after, installed: true };
    notes.push(`apt-get install python3-psutil failed (${(r.stderr ?? '').trim().split('\n').at(-1) ?? r.status})`);
  } else notes.push('not root or no apt-get: cannot install python3-psutil');
  return { missing: notes.join('; ') };
}

/** Spawn to exit of `command args`, stdout to /dev/null; rejects on a non-zero exit or after 60 s. */
function timeToDevNull(command, args) {
  return new Promise((resolve, reject) => {
    const devNull = openSync('/dev/null', 'w');
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', devNull, 'pipe'] });
    closeSync(devNull);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-1000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = msSince(start);
      if (code === 0) resolve(ms);
      else reject(new Error(`${command} ${args.join(' ')}: ${signal ?? `exit ${code}`} ${stderr.trim()}`));
    });
  });
}

/**
 * A node as far as the agent can tell: a WebSocket server on loopback that challenges, welcomes any hello, and
 * sends netstat requests. `call()` resolves with the time from send to the answer's arrival and the answer's
 * size (records, bytes), parsed after the clock stops.
 */
async function fakeNode() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 1 << 30 });
  await new Promise((resolve) => wss.once('listening', resolve));
  let link;
  const linked = new Promise((resolve) => {
    wss.on('connection', (ws) => {
      ws.send(challengeText(newNonce()));
      ws.once('message', (data) => {
        if (JSON.parse(data.toString()).type !== 'hello') return ws.close();
        ws.send(JSON.stringify({ type: 'welcome' }));
        link = ws;
        resolve();
      });
    });
  });
  let id = 0;
  const call = () =>
    new Promise((resolve, reject) => {
      const callId = ++id;
      const timer = setTimeout(() => reject(new Error('no netstat answer within 30 s')), 30_000);
      const start = process.hrtime.bigint();
      link.once('message', (data) => {
        const ms = msSince(start);
        clearTimeout(timer);
        const answer = JSON.parse(data.toString());
        if (answer.id !== callId || !Array.isArray(answer.result))
          return reject(new Error(`unexpected answer ${data.toString().slice(0, 200)}`));
        resolve({ ms, records: answer.result.length, bytes: data.length });
      });
      link.send(JSON.stringify({ jsonrpc: '2.0', id: callId, method: 'netstat', params: {} }));
    });
  return { port: wss.address().port, linked, call, close: () => new Promise((resolve) => wss.close(resolve)) };
}

async function startConnectedAgent(port, dir) {
  const keyFile = join(dir, 'agent.key');
  writeFileSync(keyFile, 'bench-agent-key-of-enough-length\n', { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [cli, 'agent', '--connect', `ws://127.0.0.1:${port}`, '--key-file', keyFile, '--guid', 'bench-agent'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-2000)));
  return { child, stderr: () => stderr };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function timeRpc(node) {
  await node.call(); // untimed: the first collection of a size
  const runs = [];
  let answer;
  for (let i = 0; i < RPC_CALLS; i++) {
    await sleep(RPC_SPACING_MS);
    answer = await node.call();
    runs.push(answer.ms);
  }
  return { runs, records: answer.records, bytes: answer.bytes };
}

async function timeWholeProcesses(psutil) {
  const tools = [
    { id: 'ss', run: () => timeToDevNull('ss', ['-tunap']) },
    { id: 'once', run: () => timeToDevNull(process.execPath, ONCE) },
    ...(psutil.python ? [{ id: 'psutil', run: () => timeToDevNull(psutil.python, ['-c', PSUTIL_SCRIPT]) }] : []),
  ];
  const runs = Object.fromEntries(tools.map((t) => [t.id, []]));
  for (let round = 0; round < ROUNDS; round++)
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[(i + round) % tools.length];
      runs[tool.id].push(await tool.run());
    }
  return runs;
}

/** Records each tool sees (one untimed run each): ss lines minus its header, psutil's list, ours' lines. */
async function counts(psutil) {
  const lines = (text) => text.split('\n').filter(Boolean).length;
  const run = async (command, args) => (await execFileAsync(command, args, { maxBuffer: 1 << 28, timeout: 60_000 })).stdout;
  return {
    ss: lines(await run('ss', ['-tunap'])) - 1,
    once: lines(await run(process.execPath, ONCE)),
    psutil: psutil.python ? Number(await run(psutil.python, ['-c', 'import psutil; print(len(psutil.net_connections()))'])) : undefined,
  };
}

const ms = (value) => `${thousands(value)} ms`;
const goalRow = (row, value, goal, sign = '≤') => ({
  ...row,
  goal: `${sign} ${goal.toFixed(2)}×`,
  verdict: value <= goal ? 'met' : 'not met',
});

const started = process.hrtime.bigint();
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = loadAverage();
const psutil = findPsutil();
const nodeStart = [];
for (let i = 0; i < ROUNDS; i++) nodeStart.push(await timeToDevNull(process.execPath, ['-e', '0']));
// BENCH_SKIP_TIME_WAIT=1 (a quick run by hand): measure with whatever TIME_WAIT sockets there are.
const leftInTimeWait = process.env.BENCH_SKIP_TIME_WAIT === '1' ? 0 : await waitForTimeWaitToClear();
const dir = mkdtempSync(join(tmpdir(), 'bench-agent-'));
const node = await fakeNode();
const agent = await startConnectedAgent(node.port, dir);
const rows = [];
const notes = [];
try {
  await Promise.race([
    node.linked,
    sleep(15_000).then(() => {
      throw new Error(`the agent did not connect within 15 s: ${agent.stderr()}`);
    }),
  ]);
  for (const size of SIZES) {
    const plan = holderPlan(size);
    const holders = await startHolders(plan);
    let runs, rpc, seen;
    try {
      runs = await timeWholeProcesses(psutil);
      rpc = await timeRpc(node);
      seen = await counts(psutil);
    } finally {
      await stopHolders(holders);
    }
    const n = thousands(size);
    const ss = median(runs.ss);
    const once = median(runs.once);
    const py = psutil.python ? median(runs.psutil) : undefined;
    const call = median(rpc.runs);
    const large = size === SIZES.at(-1);
    const onceRow = {
      measured: `agent --once --format jsonl > /dev/null, whole process, ${n} sockets`,
      figure: ms(once),
      comparison: `ss -tunap ${ms(ss)}`,
      ratio: ratio(once, ss),
    };
    rows.push(goalRow(onceRow, once / ss, large ? GOALS.onceVsSsLarge : GOALS.onceVsSsSmall));
    if (py !== undefined) {
      const vsPsutil = {
        measured: `agent --once, whole process, ${n} sockets`,
        figure: ms(once),
        comparison: `psutil ${ms(py)}`,
        ratio: ratio(once, py),
      };
      rows.push(large ? vsPsutil : goalRow(vsPsutil, once / py, GOALS.onceVsPsutilSmall));
      rows.push({
        measured: `psutil net_connections(), python3 -c, whole process, ${n} sockets`,
        figure: ms(py),
        comparison: `ss -tunap ${ms(ss)}`,
        ratio: ratio(py, ss),
      });
    }
    const rpcRow = {
      measured: `connected agent: netstat RPC answered over loopback WebSocket (collection + encoding + round trip), median of ${RPC_CALLS}, ${n} sockets`,
      figure: ms(call),
      comparison: `ss -tunap ${ms(ss)}`,
      ratio: ratio(call, ss),
    };
    rows.push(large ? goalRow(rpcRow, call / ss, GOALS.rpcVsSs) : rpcRow);
    if (py !== undefined)
      rows.push({
        measured: `connected agent's netstat RPC, ${n} sockets`,
        figure: ms(call),
        comparison: `psutil ${ms(py)}`,
        ratio: ratio(call, py),
      });
    if (!large)
      notes.push(
        `At ${n}: Node's start-up alone (node -e 0, ${ms(median(nodeStart))}) is ${ratio(median(nodeStart), ss)} of ss -tunap and ${py === undefined ? 'not compared with psutil' : `${ratio(median(nodeStart), py)} of psutil`}: ${GOALS.onceVsSsSmall * ss > median(nodeStart) ? `what agent --once has for its own work under the ${GOALS.onceVsSsSmall}× goal is ${thousands(GOALS.onceVsSsSmall * ss - median(nodeStart))} ms` : `the ${GOALS.onceVsSsSmall}× goal is out of reach of any Node process before it does anything`}.`,
      );
    const list = (values) => values.map((v) => v.toFixed(0)).join(', ');
    notes.push(
      `At ${n} (${thousands(plannedSockets(plan))} sockets in ${plan.length} holder${plan.length > 1 ? 's' : ''}): runs ss [${list(runs.ss)}], agent --once [${list(runs.once)}]${py === undefined ? '' : `, psutil [${list(runs.psutil)}]`}, RPC [${list(rpc.runs)}] ms; records: ss ${thousands(seen.ss)}, agent --once ${thousands(seen.once)}${seen.psutil === undefined ? '' : `, psutil ${thousands(seen.psutil)}`}, RPC answer ${thousands(rpc.records)} (${(rpc.bytes / 2 ** 20).toFixed(1)} MiB).`,
    );
    console.log(notes.at(-1));
  }
} finally {
  agent.child.kill('SIGKILL');
  killHolders();
  await node.close();
  rmSync(dir, { recursive: true, force: true });
}

report({
  id: 'agent',
  title: "6. The agent next to ss -tunap and psutil: agent --once and the connected agent's netstat RPC (issue 15, speed)",
  rows,
  notes: [
    psutil.python
      ? `psutil: Debian's python3-psutil (${psutil.about}, run by ${psutil.python})${psutil.installed ? ', installed by this run with apt-get' : ''}; the script is \`${PSUTIL_SCRIPT}\` (kind 'inet': tcp, tcp6, udp, udp6, as ss -tunap).`
      : `psutil: not measured (${psutil.missing}); its rows are left out.`,
    `Node start-up alone (node -e 0): ${ms(median(nodeStart))}, part of every agent --once figure.`,
    `Whole process = spawn to exit, stdout to /dev/null; medians of ${ROUNDS} rounds, the tools taking turns in a rotating order. The commands: \`ss -tunap\`, \`${psutil.python ?? 'python3'} -c '${PSUTIL_SCRIPT}'\`, \`node dist/src/cli/main.js agent --once --format jsonl\`.`,
    `RPC: a \`sentry-query agent --connect ws://127.0.0.1:PORT\` process, linked (challenge, hello, welcome) to a node played by the benchmark; one untimed call per size, then ${RPC_CALLS} timed ones ${RPC_SPACING_MS} ms apart (the agent starts at most one collection a second and hands a fresher caller the last one).`,
    'Sockets from holder processes on loopback (3/8 tcp, 3/8 tcp6, 1/8 udp, 1/8 udp6, half the UDP ones connected), plus whatever else the host has open.',
    ...notes,
    ...(leftInTimeWait > 500
      ? [`${thousands(leftInTimeWait)} TIME_WAIT sockets of another run were still there after 65 s: every tool lists them.`]
      : []),
    `Load average (1, 5, 15 min) ${loadBefore} before, ${loadAverage()} after: on a shared machine every figure drifts with it, so compare within one run.`,
    `The benchmark took ${(msSince(started) / 1000).toFixed(0)} s.`,
  ],
});
