import type { Row } from '../src/runtime/value.js';
import { QueryParseError } from '../src/errors/query-parse-error.js';
import type { MockHost } from './mock-host.js';

/** A saved query that the host runs on an interval, as its owner. */
export interface SavedSearch {
  readonly name: string;
  /** The user the query runs as; permission is checked at every run. */
  readonly owner: string;
  readonly query: string;
  readonly intervalMs: number;
}

/** The result of one scheduled run. */
export interface SavedSearchRun {
  readonly startedAt: Date;
  readonly finishedAt: Date;
  /** The records, when the run succeeded. */
  readonly records?: readonly Row[];
  /** Why it failed: a parse error has its code (e.g. 23100 when the owner is no longer an administrator). */
  readonly error?: { readonly code?: number; readonly message: string };
}

interface Entry {
  readonly search: SavedSearch;
  readonly timer: NodeJS.Timeout;
  readonly runs: SavedSearchRun[];
  running: boolean;
  /** Ticks that found the previous run still going. */
  skipped: number;
}

/**
 * Runs saved searches on their interval. A run that is still going when the next tick comes makes that tick
 * skip (counted), so a slow query never piles up copies of itself. Each search keeps its last `maxRuns` runs.
 */
export class SavedSearchScheduler {
  readonly #host: MockHost;
  readonly #entries = new Map<string, Entry>();
  readonly #maxRuns: number;

  /** @param maxRuns - runs kept per search. @default 100 */
  constructor(host: MockHost, maxRuns = 100) {
    this.#host = host;
    this.#maxRuns = maxRuns;
  }

  /** Schedules `search` (replacing one of the same name); the first run is one interval from now. */
  schedule(search: SavedSearch): void {
    if (!(search.intervalMs > 0)) throw new RangeError(`interval must be positive, not ${search.intervalMs}`);
    this.unschedule(search.name);
    const entry: Entry = {
      search,
      runs: [],
      running: false,
      skipped: 0,
      timer: setInterval(() => void this.#tick(entry), search.intervalMs),
    };
    this.#entries.set(search.name, entry);
  }

  /** Removes a saved search and its timer. */
  unschedule(name: string): void {
    const entry = this.#entries.get(name);
    if (entry) clearInterval(entry.timer);
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
    entry.running = true;
    const startedAt = new Date();
    let run: SavedSearchRun;
    try {
      const records = await this.#host.query(entry.search.query, { user: entry.search.owner });
      run = { startedAt, finishedAt: new Date(), records };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      run = { startedAt, finishedAt: new Date(), error: error instanceof QueryParseError ? { code: error.code, message } : { message } };
    }
    entry.running = false;
    entry.runs.push(run);
    if (entry.runs.length > this.#maxRuns) entry.runs.shift();
  }
}
