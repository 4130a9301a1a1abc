// npm run bench: how long collecting this host's sockets with pids takes, next to `ss -tunap` on the same
// sockets. Opens CONNECTIONS loopback connections (2 sockets each) in two holder processes, then times
// each tool RUNS times and prints the medians. Bounded: at most 19,000 connections, every child killed at the end.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { platform } from 'node:os';
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { collectLinuxConnections } from '../dist/src/agent/collect-linux.js';
import { parseProcNet } from '../dist/src/agent/proc-net-parser.js';
import { socketOwners } from '../dist/src/agent/socket-owners.js';

const CONNECTIONS = Math.min(Number(process.env.BENCH_CONNECTIONS ?? 19_000), 19_000);
const RUNS = 5;

if (platform() !== 'linux') {
  console.log('bench: the /proc collector is Linux only; nothing to measure here');
  process.exit(0);
}

function holder(...args) {
  const child = spawn(process.execPath, [new URL('./socket-holder.mjs', import.meta.url).pathname, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  return { child, firstLine: once(lines, 'line').then(([line]) => line) };
}

function median(times) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time(fn) {
  const times = [];
  let result;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return { ms: median(times), result };
}

const server = holder('server', String(CONNECTIONS));
const client = holder('client', String(CONNECTIONS), await server.firstLine);
try {
  await client.firstLine;
  const ours = time(() => collectLinuxConnections());
  const withPid = ours.result.filter((c) => c.pid !== null).length;
  // Where the time goes: reading and parsing /proc/net/*, and mapping inodes to pids.
  const sockets = time(() => ['tcp', 'tcp6', 'udp', 'udp6'].flatMap((p) => parseProcNet(readFileSync(`/proc/net/${p}`, 'utf8'), p, endianness())));
  const owners = time(() => socketOwners());
  let ss;
  try {
    ss = time(() => execFileSync('ss', ['-tunap'], { maxBuffer: 512 * 1024 * 1024 }).toString().split('\n').length - 2);
  } catch {
    ss = undefined;
  }
  console.log(`sockets: ${ours.result.length} (${withPid} with pid), ${CONNECTIONS} loopback connections, median of ${RUNS}`);
  console.log(`collectLinuxConnections: ${ours.ms.toFixed(1)} ms (read+parse ${sockets.ms.toFixed(1)} ms, inode→pid ${owners.ms.toFixed(1)} ms for ${owners.result.size} socket fds)`);
  console.log(ss ? `ss -tunap:               ${ss.ms.toFixed(1)} ms (${ss.result} lines)` : 'ss -tunap: not available');
  if (ss) console.log(`ratio: ${(ours.ms / ss.ms).toFixed(2)}× the time of ss`);
} finally {
  server.child.kill();
  client.child.kill();
}
