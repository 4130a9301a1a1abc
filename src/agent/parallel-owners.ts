/**
 * Socket owners (socket inode → pid) read by two threads: this one and a worker walk the `socket:[INODE]` links
 * of /proc/PID/fd side by side, taking units of work from one shared counter, so that neither waits while the
 * other has work. The result is `socketOwners`'s (socket-owners.ts): the lowest pid holding each socket.
 *
 * A unit is a process, the biggest first (`stat` of /proc/PID/fd gives its fd count as its size, Linux ≥ 6.2),
 * so that the two threads end close together. A process can also be cut into parts (every `parts`-th fd of
 * its directory listing, {@link ParallelOwnersOptions.splitFrom}), but that is off by default: two threads
 * reading the links of one process slow each other down in the kernel (one holder of 13,400 sockets: one
 * thread 80 ms, two threads on parts of it 98 ms; bench/parallel-owners.mjs and the commit message).
 *
 * The worker is started once and kept (unref'd: it never holds the process open) for a connected agent's
 * next collections; its code is CommonJS from a string, as collect-linux.ts's reader, so that it needs no
 * file of its own and runs as well from the sources under vitest. A thread that finds the worker not started
 * yet simply takes every unit itself. If the worker fails, its units are walked here.
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** Options of {@link OwnerWalker}. */
export interface ParallelOwnersOptions {
  /** Where /proc is. @default "/proc" */
  readonly procRoot?: string;
  /** A process with at least twice this many fds is cut into parts of about this many. @default Infinity (never) */
  readonly splitFrom?: number;
  /** Which threads walk (tests): both, only this one, or only the worker. @default "both" */
  readonly threads?: 'both' | 'main' | 'worker';
}

/** A unit of work: pid (as its /proc entry), the part of its fds, and how many parts it is cut into. */
type Unit = readonly [entry: string, part: number, parts: number];

/** What the worker sends back: the pairs it found, as inode/pid arrays. */
interface WorkerAnswer {
  readonly inodes: Float64Array;
  readonly pids: Float64Array;
  readonly files: (Uint8Array | null)[];
}

/** What {@link OwnerWalker.walkAndRead} gives. */
export interface OwnersAndFiles {
  /** Socket inode → lowest pid holding it. */
  readonly owners: Map<number, number>;
  /** The text of each file asked for, undefined where it could not be read. */
  readonly texts: (string | undefined)[];
}

/** The two calls of node:fs a walk makes (given, so that {@link walkUnit} refers to nothing outside itself). */
interface FdCalls {
  readonly readdirSync: (path: string) => string[];
  readonly readlinkSync: (path: string) => string;
}
const FD_CALLS: FdCalls = { readdirSync: (path) => readdirSync(path), readlinkSync: (path) => readlinkSync(path) };

/**
 * The walk of one unit: adds each socket's (inode, pid) to `found`. The worker runs this very function, from
 * its source text: it must refer to nothing but its parameters and JavaScript's globals.
 */
function walkUnit(fs: FdCalls, procRoot: string, unit: Unit, found: number[], listings: Map<string, string[]>): void {
  const [entry, part, parts] = unit;
  const fdDir = `${procRoot}/${entry}/fd/`;
  let fds = listings.get(entry);
  if (fds === undefined) {
    try {
      fds = fs.readdirSync(fdDir);
    } catch {
      fds = [];
    }
    if (parts > 1) listings.set(entry, fds);
  }
  const pid = Number(entry);
  for (let i = part; i < fds.length; i += parts) {
    let target: string;
    try {
      target = fs.readlinkSync(fdDir + fds[i]!);
    } catch {
      continue;
    }
    if (!target.startsWith('socket:[') || !target.endsWith(']')) continue;
    const inode = Number(target.slice(8, -1));
    if (Number.isSafeInteger(inode)) found.push(inode, pid);
  }
}

/**
 * The worker: for each job, takes units from the shared counter until none is left, walks them with the very
 * function above (its source text, so the two cannot drift apart), and answers with the pairs found.
 */
const WORKER = `
const fs = require('node:fs');
const { parentPort } = require('node:worker_threads');
const walkUnit = ${walkUnit.toString()};
parentPort.on('message', ({ procRoot, units, counter, paths }) => {
  // The files first (the /proc/net text): meanwhile the other thread takes the fd units.
  const files = paths.map((path) => { try { return fs.readFileSync(path); } catch { return null; } });
  const next = new Int32Array(counter);
  const found = [];
  const listings = new Map();
  for (let i = Atomics.add(next, 0, 1); i < units.length; i = Atomics.add(next, 0, 1)) walkUnit(fs, procRoot, units[i], found, listings);
  const inodes = new Float64Array(found.length / 2);
  const pids = new Float64Array(found.length / 2);
  for (let j = 0; j < inodes.length; j++) { inodes[j] = found[2 * j]; pids[j] = found[2 * j + 1]; }
  parentPort.postMessage({ inodes, pids, files }, [inodes.buffer, pids.buffer]);
});
`;

/**
 * Walks the fd links of every process on two threads ({@link OwnerWalker.walk}); keep one for a connected agent
 * (the worker stays up between walks), {@link OwnerWalker.close} it when done.
 */
export class OwnerWalker {
  readonly #procRoot: string;
  readonly #splitFrom: number;
  readonly #threads: 'both' | 'main' | 'worker';
  #worker: Worker | undefined;
  #failed = false;

  constructor(options: ParallelOwnersOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#splitFrom = options.splitFrom ?? Number.POSITIVE_INFINITY;
    this.#threads = options.threads ?? 'both';
  }

  /** Socket inode → lowest pid holding it, as socketOwners gives. */
  async walk(): Promise<Map<number, number>> {
    return (await this.walkAndRead([])).owners;
  }

  /**
   * {@link OwnerWalker.walk}, and the files at `paths` read (as UTF-8) by the worker before it joins the walk:
   * for the agent's collection, the /proc/net files, so that reading them needs no worker of its own (which
   * costs 25–30 ms to start) and the walk is shared by two threads, not three on two cores.
   */
  async walkAndRead(paths: readonly string[]): Promise<OwnersAndFiles> {
    const units = this.#units();
    const counter = new SharedArrayBuffer(4);
    const next = new Int32Array(counter);
    const answer = this.#threads === 'main' ? undefined : this.#askWorker(units, counter, paths);
    // Handled now, looked at after this thread's walk: a worker that fails meanwhile is no unhandled rejection.
    answer?.catch(() => undefined);
    const found: number[] = [];
    const listings = new Map<string, string[]>();
    if (this.#threads !== 'worker')
      for (let i = Atomics.add(next, 0, 1); i < units.length; i = Atomics.add(next, 0, 1))
        walkUnit(FD_CALLS, this.#procRoot, units[i]!, found, listings);
    const owners = new Map<number, number>();
    const add = (inode: number, pid: number): void => {
      const known = owners.get(inode);
      if (known === undefined || pid < known) owners.set(inode, pid);
    };
    for (let j = 0; j < found.length; j += 2) add(found[j]!, found[j + 1]!);
    const readHere = (): (string | undefined)[] => paths.map(readText);
    if (answer === undefined) return { owners, texts: readHere() };
    let pairs: WorkerAnswer;
    try {
      pairs = await answer;
    } catch {
      // The worker failed: the units it had not finished are walked here (all of them: no pair is lost, and
      // the ones it did walk are simply found again).
      this.#failed = true;
      const again: number[] = [];
      for (const unit of units) walkUnit(FD_CALLS, this.#procRoot, unit, again, new Map());
      for (let j = 0; j < again.length; j += 2) add(again[j]!, again[j + 1]!);
      return { owners, texts: readHere() };
    }
    for (let j = 0; j < pairs.inodes.length; j++) add(pairs.inodes[j]!, pairs.pids[j]!);
    const texts = pairs.files.map((bytes) =>
      bytes === null ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
    return { owners, texts };
  }

  /** Stops the worker, if one runs. */
  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
  }

  /** Every process's fds as units, the biggest first; a process of ≥ splitFrom fds cut into parts. */
  #units(): Unit[] {
    let entries: string[];
    try {
      entries = readdirSync(this.#procRoot);
    } catch {
      return [];
    }
    const sized: { unit: Unit; size: number }[] = [];
    for (const entry of entries) {
      if (!/^\d+$/.test(entry)) continue;
      let size = 0;
      try {
        size = statSync(`${this.#procRoot}/${entry}/fd`).size;
      } catch {
        // Gone, or not ours to look into: one unit, which finds nothing or what it can.
      }
      const parts = size >= 2 * this.#splitFrom ? Math.round(size / this.#splitFrom) : 1;
      for (let part = 0; part < parts; part++) sized.push({ unit: [entry, part, parts], size: size / parts });
    }
    return sized.sort((a, b) => b.size - a.size).map((s) => s.unit);
  }

  #askWorker(units: readonly Unit[], counter: SharedArrayBuffer, paths: readonly string[]): Promise<WorkerAnswer> {
    if (this.#failed && this.#threads === 'both') return Promise.reject(new Error('the owner worker failed before'));
    const worker = (this.#worker ??= this.#startWorker());
    return new Promise((resolve, reject) => {
      // Held while a walk is in flight (a one-shot process must not end before the answer), unref'd after.
      worker.ref();
      const onMessage = (answer: WorkerAnswer): void => {
        worker.unref();
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(answer);
      };
      const onError = (error: Error): void => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        this.#worker = undefined;
        reject(error);
      };
      const onExit = (code: number): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        this.#worker = undefined;
        reject(new Error(`the owner worker exited (${code}) without an answer`));
      };
      worker.once('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ procRoot: this.#procRoot, units, counter, paths });
    });
  }

  #startWorker(): Worker {
    const worker = new Worker(WORKER, { eval: true });
    worker.unref();
    return worker;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** {@link OwnerWalker.walk} once, for a one-shot process: the worker is stopped afterwards. */
export async function parallelSocketOwners(options: ParallelOwnersOptions = {}): Promise<Map<number, number>> {
  const walker = new OwnerWalker(options);
  try {
    return await walker.walk();
  } finally {
    await walker.close();
  }
}
