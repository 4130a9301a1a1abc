/** The built `sentry-query` as real child processes, for tests about what a process does and prints. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { runRemoteQuery } from '../../src/remote/index.js';
import type { Row } from '../../src/index.js';

/** The built CLI (`npm test` builds first). */
export const BIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js');

/** A running `sentry-query`: what it printed so far, and a way to wait for a line. */
export class RunningChild {
  readonly process: ChildProcess;
  readonly output = { stdout: '', stderr: '' };
  readonly #waiters = new Set<() => void>();

  constructor(process: ChildProcess) {
    this.process = process;
    for (const stream of ['stdout', 'stderr'] as const) {
      process[stream]!.on('data', (d: Buffer) => {
        this.output[stream] += d.toString();
        for (const wake of this.#waiters) wake();
      });
    }
  }

  /** Resolves with the first match of `pattern` in all `stream` has printed; rejects after `deadlineMs`. */
  waitFor(stream: 'stdout' | 'stderr', pattern: RegExp, deadlineMs = 20_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.output[stream]);
        if (!match) return;
        this.#waiters.delete(check);
        clearTimeout(deadline);
        resolve(match);
      };
      const deadline = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${pattern} on ${stream} within ${deadlineMs} ms; got: ${this.output[stream]}`));
      }, deadlineMs);
      this.#waiters.add(check);
      check();
    });
  }
}

/** Long-running children of a suite; {@link Children.killAll} ends them. */
export class Children {
  readonly #children: RunningChild[] = [];

  /** Starts `sentry-query ARGS` (with `nodeArgs` before the script, e.g. `--require`). */
  start(args: readonly string[], nodeArgs: readonly string[] = []): RunningChild {
    const child = new RunningChild(spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
    this.#children.push(child);
    return child;
  }

  /** Kills every child still running (each by its own pid). */
  killAll(): void {
    for (const { process: child } of this.#children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** Everything a child printed, and how it ended. */
export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sentry-query ARGS` to its end; kills it (and rejects) after `deadlineMs`. */
export function runToEnd(args: readonly string[], nodeArgs: readonly string[] = [], deadlineMs = 20_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sentry-query ${args.join(' ')} did not end within ${deadlineMs} ms; stderr: ${stderr}`));
    }, deadlineMs);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The arguments of `sentry-query node` on loopback with any free sentry port and query port: the keys file and
 * the administrator token file given, then `extra`.
 */
export function queryNodeArgs(keysFile: string, adminTokenFile: string, ...extra: string[]): string[] {
  return ['node', '--listen', '0', '--keys', keysFile, '--query-port', '0', '--admin-token-file', adminTokenFile, ...extra];
}

/** Starts `sentry-query ARGS` as a child process with piped output, and adds it to `children` (to kill later). */
export function startCli(children: ChildProcess[], ...args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

/**
 * The ports a `node` child announces, once it has printed `count` lines of the form `LABEL on ws[s]://HOST:PORT`
 * (`listening`, `queries`), as label → port.
 */
export function listeningPorts(child: ChildProcess, count: number): Promise<Record<string, number>> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: child.stdout! });
    const seen: Record<string, number> = {};
    lines.on('line', (line) => {
      const m = /^(\w+) on wss?:\/\/[^ ]*:(\d+)$/.exec(line);
      if (m) seen[m[1]!] = Number(m[2]);
      if (Object.keys(seen).length === count) {
        lines.close();
        resolve(seen);
      }
    });
  });
}

/** Runs `text` on the query port `port` of a loopback node with administrator token `token`; its records. */
export async function queryRows(port: number, token: string, text: string): Promise<Row[]> {
  const rows: Row[] = [];
  await runRemoteQuery({ url: `ws://127.0.0.1:${port}`, token, query: text, onRecord: (row) => void rows.push(row) });
  return rows;
}
