// What every benchmark shares: timing, bounded child processes, and the result format.
//
// A benchmark is a script `bench/<name>.mjs` that measures, then calls `report(result)`. Run alone
// (`node bench/<name>.mjs`) it prints its table; run by bench/run.mjs (`npm run bench`) it also writes its
// result as JSON to the file named by BENCH_RESULT, from which the runner prints the combined table and writes
// docs/performance.md.
import Table from 'cli-table3';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * @typedef {object} ResultRow
 * @property {string} measured   what was measured, with its size (e.g. "ours, whole process, 40,000 sockets")
 * @property {string} figure     the figure, with its unit ("312 ms", "1.2 M records/s")
 * @property {string} comparison what it is compared with, with that figure ("ss -tunap 757 ms")
 * @property {string} ratio      figure / comparison ("0.41×"), or "" when there is nothing to divide
 * @property {string} [goal]     the goal this row answers ("≤ 0.50×"), when it answers one
 * @property {'met' | 'not met'} [verdict]
 *
 * @typedef {object} BenchResult
 * @property {string} id      file name without .mjs
 * @property {string} title   one line: what this benchmark shows
 * @property {ResultRow[]} rows
 * @property {string[]} [notes] short sentences printed under the table (setup, caveats, counts)
 */

/** The median of a list of numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds since `start` (a `process.hrtime.bigint()`). */
export function msSince(start) {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs `command args` to completion, its stdout counted (lines) and discarded, and resolves with the wall time
 * and the line count. Killed (and rejected) after `timeoutMs`, so a stuck tool cannot stall the bench.
 *
 * @param {string} command
 * @param {readonly string[]} args
 * @param {{ timeoutMs?: number, env?: NodeJS.ProcessEnv }} [options]
 * @returns {Promise<{ ms: number, lines: number }>}
 */
export function timeCommand(command, args, { timeoutMs = 60_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env && { env }) });
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    });
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = msSince(start);
      if (code === 0) resolve({ ms, lines });
      else reject(new Error(`${command} ${args.join(' ')}: ${signal ? `killed (${signal})` : `exit ${code}`} ${stderr.trim()}`));
    });
  });
}

/** `value` with thousands separators: 40000 → "40,000". */
export function thousands(value) {
  return Math.round(value).toLocaleString('en-US');
}

/** "0.41×". */
export function ratio(figure, comparison) {
  return `${(figure / comparison).toFixed(2)}×`;
}

/** The result as a cli-table3 table (the same columns as docs/performance.md). */
export function formatTable(result) {
  const table = new Table({ head: ['measured', 'figure', 'comparison', 'ratio', 'goal'], style: { head: [], border: [] } });
  for (const row of result.rows) {
    table.push([
      row.measured,
      row.figure,
      row.comparison,
      row.ratio,
      row.goal ? `${row.goal} ${row.verdict === 'met' ? '✔ met' : '✘ not met'}` : '',
    ]);
  }
  return `${result.title}\n${table.toString()}${(result.notes ?? []).map((note) => `\n  ${note}`).join('')}\n`;
}

/** Prints the result's table, and hands it to bench/run.mjs when run from there. */
export function report(result) {
  process.stdout.write(`\n${formatTable(result)}`);
  if (process.env.BENCH_RESULT) writeFileSync(process.env.BENCH_RESULT, JSON.stringify(result));
}

// ---- child processes for the fan-out and sonar benchmarks (appended; generic) ----

/** Every child started by `startChild` that has not exited; `stopChildren` kills them (so do exit and signals). */
const liveChildren = new Set();
let exitHooked = false;

/**
 * Starts `command args` as a child process (stdio piped, in our process group so bench/run.mjs's kill reaches
 * it), remembered for `stopChildren`. The last 4 KB of its stderr are kept in `child.stderrTail` for errors.
 * The first call also makes SIGINT/SIGTERM (and any exit) kill every child still running.
 *
 * @param {string} command
 * @param {readonly string[]} args
 * @returns {import('node:child_process').ChildProcess & { stderrTail: string }}
 */
export function startChild(command, args) {
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', () => {
      for (const child of liveChildren) child.kill('SIGKILL');
    });
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ]) {
      process.once(signal, () => {
        for (const child of liveChildren) child.kill('SIGKILL');
        process.exit(code);
      });
    }
  }
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderrTail = '';
  child.stderr.on('data', (chunk) => {
    child.stderrTail = (child.stderrTail + chunk).slice(-4096);
  });
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
  child.once('error', () => liveChildren.delete(child));
  return child;
}

/**
 * Resolves with the first line of `child`'s `stream` ('stdout' or 'stderr') that matches `pattern`; rejects if
 * the child exits first or after `timeoutMs`, with the child's stderr tail in the message.
 *
 * @param {import('node:child_process').ChildProcess & { stderrTail?: string }} child
 * @param {'stdout' | 'stderr'} stream
 * @param {RegExp} pattern
 * @param {number} timeoutMs
 * @returns {Promise<string>}
 */
export function waitForLine(child, stream, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (settle) => {
      clearTimeout(timer);
      child[stream].off('data', onData);
      child.off('exit', onExit);
      settle();
    };
    const onData = (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const line = lines.find((l) => pattern.test(l));
      if (line !== undefined) finish(() => resolve(line));
    };
    const onExit = (code, signal) =>
      finish(() =>
        reject(
          new Error(
            `${child.spawnargs.slice(1, 4).join(' ')} … exited (${signal ?? code}) before ${pattern}: ${child.stderrTail?.trim() ?? ''}`,
          ),
        ),
      );
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(
            new Error(
              `no ${pattern} from ${child.spawnargs.slice(1, 4).join(' ')} … within ${timeoutMs} ms: ${child.stderrTail?.trim() ?? ''}`,
            ),
          ),
        ),
      timeoutMs,
    );
    child[stream].on('data', onData);
    child.once('exit', onExit);
  });
}

/** Kills (SIGKILL) every child `startChild` started that is still running, and waits (≤ 5 s) for them to exit. */
export async function stopChildren() {
  const waiting = [...liveChildren].map(
    (child) =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGKILL');
      }),
  );
  await Promise.race([Promise.all(waiting), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
}

/** CPU time (user + system, ms) process `pid` has used so far, from /proc (Linux); undefined elsewhere. */
export function processCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux architecture Node runs on
