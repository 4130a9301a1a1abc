// Loopback socket holders for the benchmarks that need a host with many sockets (agent): bench/socket-holder.mjs
// processes, several because a process may open only 20,000 descriptors here (RLIMIT_NOFILE). Bounded in count
// (≤ PER_HOLDER sockets each) and in time (each holder exits on its own after 300 s whatever the parent does,
// and on its stdin's end); `killHolders` kills any still running.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { msSince, thousands } from './lib.mjs';

/** Sockets per holder: under the 20,000 open files of a process, with room for its own. */
export const PER_HOLDER = 13_400;

const holderScript = new URL('./socket-holder.mjs', import.meta.url).pathname;
/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();

/** SIGKILLs every holder still running (also on SIGINT/SIGTERM and at exit, once hooked by startHolders). */
export function killHolders() {
  for (const child of live) child.kill('SIGKILL');
}

let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.once('exit', killHolders);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ])
    process.once(signal, () => {
      killHolders();
      process.exit(code);
    });
}

/**
 * How `total` sockets are split over holders: as few as fit PER_HOLDER, each holding 3/8 TCP on 127.0.0.1, 3/8
 * TCP on ::1 (even counts: a connection is two sockets) and the rest UDP, half on each family.
 */
export function holderPlan(total) {
  const holders = Math.ceil(total / PER_HOLDER);
  const plan = [];
  for (let h = 0, left = total; h < holders; h++) {
    const share = Math.round(left / (holders - h));
    const tcp = 2 * Math.round((share * 0.375) / 2);
    const udp = share - 2 * tcp;
    plan.push([tcp, tcp, Math.ceil(udp / 2), Math.floor(udp / 2)]);
    left -= share;
  }
  return plan;
}

/** The sockets a plan's holders hold, counting the TCP listener each holds per family it connects on. */
export function plannedSockets(plan) {
  return plan.reduce((sum, counts) => sum + counts.reduce((a, b) => a + b, 0) + (counts[0] > 0) + (counts[1] > 0), 0);
}

/** Starts the holders of `plan` in parallel; resolves once every one says "ready" (≤ 60 s, else rejects). */
export async function startHolders(plan) {
  hookExit();
  const holders = plan.map((counts) => {
    const child = spawn(process.execPath, [holderScript, ...counts.map(String)], { stdio: ['pipe', 'pipe', 'inherit'] });
    live.add(child);
    child.on('exit', () => live.delete(child));
    const ready = new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', (line) =>
        line === 'ready' ? resolve() : reject(new Error(`socket holder said ${line}`)),
      );
      child.once('exit', (code) => reject(new Error(`a socket holder exited (${code}) before it was ready`)));
    });
    return { child, counts, ready };
  });
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('socket holders not ready within 60 s')), 60_000);
  });
  try {
    await Promise.race([Promise.all(holders.map((h) => h.ready)), limit]);
  } catch (error) {
    killHolders();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return holders;
}

/** Ends the holders' stdin (they reset their TCP connections and exit); SIGKILL after 5 s. */
export async function stopHolders(holders) {
  await Promise.all(
    holders.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }),
  );
}

/** TIME_WAIT sockets in this network namespace (/proc/net/sockstat). */
export function timeWaitCount() {
  return Number(/^TCP: .* tw (\d+)/m.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? 0);
}

/**
 * TIME_WAIT sockets left by an earlier run count in every tool's list for up to 60 s and would skew the sizes:
 * waits (at most 65 s) until fewer than 500 are left; resolves with how many are.
 */
export async function waitForTimeWaitToClear() {
  const start = process.hrtime.bigint();
  if (timeWaitCount() > 500) console.log(`waiting for ${thousands(timeWaitCount())} TIME_WAIT sockets to expire (≤ 65 s)`);
  while (timeWaitCount() > 500 && msSince(start) < 65_000) await new Promise((resolve) => setTimeout(resolve, 1_000));
  return timeWaitCount();
}
