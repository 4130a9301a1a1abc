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
 * next collections (collect-linux.ts keeps one per process); its code is CommonJS from a string, so that it
 * needs no file of its own and runs as well from the agent-once bundle and from the sources under vitest. A thread that finds the worker not started
 * yet simply takes every unit itself. If the worker fails, the units it took are walked here, and every later
 * walk of that walker is this thread's alone ({@link OwnerWalker.failed}).
 *
 * @module
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { lowestOwners, ownerTable, type OwnerPairs, type SocketOwnerTable } from './socket-owners.js';

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

/** What the worker sends back: the job's number, the pairs it found (inode, pid, inode, pid, …) and the files it read. */
interface WorkerAnswer {
  readonly job: number;
  readonly pairs: Float64Array;
  readonly files: (Uint8Array | null)[];
}

/** What {@link OwnerWalker.walkAndRead} gives. */
export interface OwnersAndFiles {
  /** Socket inode → lowest pid holding it. */
  readonly owners: Map<number, number>;
  /** The text of each file asked for, undefined where it could not be read. */
  readonly texts: (string | undefined)[];
}

/** What {@link OwnerWalker.walkAllAndRead} gives. */
export interface OwnerTableAndFiles {
  /** Every owner of each socket, as `allSocketOwners` (socket-owners.ts) gives them. */
  readonly table: SocketOwnerTable;
  /** The text of each file asked for, undefined where it could not be read. */
  readonly texts: (string | undefined)[];
}

export { lowestOwners, ownerTable, type OwnerPairs } from './socket-owners.js';

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
parentPort.on('message', ({ job, procRoot, units, counter, paths }) => {
  // The files first (the /proc/net text): meanwhile the other thread takes the fd units.
  const files = paths.map((path) => { try { return fs.readFileSync(path); } catch { return null; } });
  const next = new Int32Array(counter);
  const found = [];
  const listings = new Map();
  for (let i = Atomics.add(next, 0, 1); i < units.length; i = Atomics.add(next, 0, 1)) walkUnit(fs, procRoot, units[i], found, listings);
  const pairs = Float64Array.from(found);
  parentPort.postMessage({ job, pairs, files }, [pairs.buffer]);
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
  /** Numbers the jobs posted to the worker, so that walks in flight at once each get their own answer. */
  #jobs = 0;
  /** Walks waiting for the worker's answer: while any does, the worker is ref'd. */
  #inFlight = 0;

  constructor(options: ParallelOwnersOptions = {}) {
    this.#procRoot = options.procRoot ?? '/proc';
    this.#splitFrom = options.splitFrom ?? Number.POSITIVE_INFINITY;
    this.#threads = options.threads ?? 'both';
  }

  /** Where this walker reads /proc. */
  get procRoot(): string {
    return this.#procRoot;
  }

  /**
   * The worker failed (it could not start, threw, or exited without an answer): every later walk is this
   * thread's alone, as {@link OwnerWalker.walk} says.
   */
  get failed(): boolean {
    return this.#failed;
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
    const { pairs, texts } = await this.#walkPairs(paths);
    return { owners: lowestOwners(pairs), texts };
  }

  /**
   * {@link OwnerWalker.walkAndRead} with every owner of each socket (what `allSocketOwners` gives, for the
   * collector's detail), not only the lowest.
   */
  async walkAllAndRead(paths: readonly string[]): Promise<OwnerTableAndFiles> {
    const { pairs, texts } = await this.#walkPairs(paths);
    return { table: ownerTable(pairs), texts };
  }

  /** The walk on both threads: every (inode, pid) pair each found, and the texts of `paths`. */
  async #walkPairs(paths: readonly string[]): Promise<{ pairs: OwnerPairs; texts: (string | undefined)[] }> {
    const units = this.#units();
    const counter = new SharedArrayBuffer(4);
    const next = new Int32Array(counter);
    const answer = this.#threads === 'main' ? undefined : this.#askWorker(units, counter, paths);
    // Handled now, looked at after this thread's walk: a worker that fails meanwhile is no unhandled rejection.
    answer?.catch(() => undefined);
    const found: number[] = [];
    const listings = new Map<string, string[]>();
    // Which units this thread took: the others are the worker's, walked here again if it fails.
    const mine = new Uint8Array(units.length);
    if (this.#threads !== 'worker')
      for (let i = Atomics.add(next, 0, 1); i < units.length; i = Atomics.add(next, 0, 1)) {
        mine[i] = 1;
        walkUnit(FD_CALLS, this.#procRoot, units[i]!, found, listings);
      }
    const readHere = (): (string | undefined)[] => paths.map(readText);
    if (answer === undefined) return { pairs: [found], texts: readHere() };
    let theirs: WorkerAnswer;
    try {
      theirs = await answer;
    } catch {
      // The worker failed (or had before): the units it took are walked here. It may have walked some of them
      // already, but its pairs are lost with it. From now on this walker walks on this thread alone.
      this.#failed = true;
      // No more units for a worker: one that is somehow still going finds the counter past the end.
      Atomics.store(next, 0, units.length);
      units.forEach((unit, i) => {
        if (mine[i] === 0) walkUnit(FD_CALLS, this.#procRoot, unit, found, listings);
      });
      return { pairs: [found], texts: readHere() };
    }
    const texts = theirs.files.map((bytes) =>
      bytes === null ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    );
    return { pairs: [found, theirs.pairs], texts };
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
    let worker: Worker;
    try {
      worker = this.#worker ??= this.#startWorker();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    const job = ++this.#jobs;
    return new Promise((resolve, reject) => {
      // Held while a walk is in flight (a one-shot process must not end before the answer), unref'd once none is.
      if (this.#inFlight++ === 0) worker.ref();
      const done = (): void => {
        if (--this.#inFlight === 0) worker.unref();
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (answer: WorkerAnswer): void => {
        if (answer.job !== job) return;
        done();
        resolve(answer);
      };
      const fail = (error: Error): void => {
        done();
        if (this.#worker === worker) this.#worker = undefined;
        void worker.terminate().catch(() => undefined);
        reject(error);
      };
      const onError = (error: Error): void => fail(error);
      const onExit = (code: number): void => fail(new Error(`the owner worker exited (${code}) without an answer`));
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      try {
        worker.postMessage({ job, procRoot: this.#procRoot, units, counter, paths });
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
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
