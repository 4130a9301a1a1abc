import type { Row } from '../runtime/value.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import type { QueryRun, QueryStarter } from './query-starter.js';

/** Node's timers cannot wait longer (a longer delay silently becomes 1 ms). */
const MAX_INTERVAL_MS = 2 ** 31 - 1;

/** A saved query that the host runs on an interval, as its owner. */
export interface SavedSearch {
  /** Name of the saved search. */
  readonly name: string;
  /** The user the query runs as; permission is checked at every run. */
  readonly owner: string;
  /** The query text to run. */
  readonly query: string;
  /** Milliseconds between runs. */
  readonly intervalMs: number;
}

/** The result of one scheduled run. */
export interface SavedSearchRun {
  /** When the run started. */
  readonly startedAt: Date;
  /** When the run ended. */
  readonly finishedAt: Date;
  /** The records, when the run was not refused (partial when it was cancelled). */
  readonly records?: readonly Row[];
  /** Why it failed: a parse error has its code (e.g. 23100 when the owner is no longer an administrator). */
  readonly error?: {
    /** The error code, for parse errors. */
    readonly code?: number;
    /** What went wrong. */
    readonly message: string;
  };
}

interface Entry {
  readonly search: SavedSearch;
  readonly timer: NodeJS.Timeout;
  readonly runs: SavedSearchRun[];
  /** The run in progress, cancelled when the search is unscheduled. */
  running: QueryRun | undefined;
  /** Ticks that found the previous run still going. */
  skipped: number;
}

/**
 * Runs saved searches on their interval. A run that is still going when the next tick comes makes that tick
 * skip (counted), so a slow query never piles up copies of itself. Each search keeps its last `maxRuns` runs.
 */
export class SavedSearchScheduler {
  readonly #host: QueryStarter;
  readonly #entries = new Map<string, Entry>();
  readonly #maxRuns: number;

  /**
   * @param host - starts each run (a {@link Host}).
   * @param maxRuns - runs kept per search. @default 100
   */
  constructor(host: QueryStarter, maxRuns = 100) {
    this.#host = host;
    this.#maxRuns = maxRuns;
  }

  /** Schedules `search` (replacing one of the same name); the first run is one interval from now. */
  schedule(search: SavedSearch): void {
    if (!(search.intervalMs > 0 && search.intervalMs <= MAX_INTERVAL_MS)) {
      throw new RangeError(`interval must be 1..${MAX_INTERVAL_MS} ms, not ${search.intervalMs}`);
    }
    this.unschedule(search.name);
    const entry: Entry = {
      search,
      runs: [],
      running: undefined,
      skipped: 0,
      timer: setInterval(() => void this.#tick(entry), search.intervalMs),
    };
    this.#entries.set(search.name, entry);
  }

  /** Removes a saved search and its timer, and cancels its run in progress. */
  unschedule(name: string): void {
    const entry = this.#entries.get(name);
    if (!entry) return;
    clearInterval(entry.timer);
    entry.running?.cancel();
    this.#entries.delete(name);
  }

  /** Removes every saved search. */
  stopAll(): void {
    for (const name of [...this.#entries.keys()]) this.unschedule(name);
  }

  /** The kept runs of `name`, oldest first. */
  runs(name: string): readonly SavedSearchRun[] {
    return this.#entries.get(name)?.runs ?? [];
  }

  /** Ticks skipped because the previous run was still going. */
  skipped(name: string): number {
    return this.#entries.get(name)?.skipped ?? 0;
  }

  async #tick(entry: Entry): Promise<void> {
    if (entry.running) {
      entry.skipped++;
      return;
    }
    const startedAt = new Date();
    const records: Row[] = [];
    let run: SavedSearchRun;
    try {
      // Parsed at every run, as the owner: a revoked permission shows up as that run's error.
      entry.running = this.#host.start(entry.search.query, { user: entry.search.owner, onRecord: (row) => void records.push(row) });
      const outcome = await entry.running.done;
      run = { startedAt, finishedAt: new Date(), records, ...(outcome.reason === 'cancel' && { error: { message: 'cancelled' } }) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run = { startedAt, finishedAt: new Date(), error: error instanceof QueryParseError ? { code: error.code, message } : { message } };
    }
    entry.running = undefined;
    entry.runs.push(run);
    if (entry.runs.length > this.#maxRuns) entry.runs.shift();
  }
}
