/**
 * What happens before authentication, told to the operator without flooding the log: per source, the first
 * event of a quiet period is logged at once, as it is; the rest of that window are counted and logged as ONE
 * summary line when the window ends (and again each window while they continue). A client failing 1,800 times
 * a second costs one line per window, not 1,800 a second. The same counts rate-limit failed authentications:
 * a source that failed {@link AUTH_FAILURES}.limit times in its window is refused until the window ends.
 *
 * @module
 */
import { AUTH_FAILURES, TRACKED_SOURCES_LIMIT } from './limits.js';

/** One line for the operator's log, about a connection that has not authenticated (or a summary of many). */
export interface PreAuthLogEvent {
  /**
   * What happened: `refused` (a cap or the failure limit turned the connection away at accept), `oversize` (it
   * sent more than the pre-authentication byte limit), `handshake-timeout`, `rejected`, `malformed-frame`,
   * `socket-error` (the server's own words), or `summary` (how many more of these a source caused in a window).
   */
  readonly event: string;
  /** Human-readable detail. */
  readonly detail: string;
  /** The source address (for a summary: the source as grouped, e.g. an IPv6 /64); absent for "other sources". */
  readonly remote_ip?: string;
  /** The guid a hello named, if any. */
  readonly guid?: string;
  /** For a summary: how many events it stands for. */
  readonly count?: number;
}

/** Options of a {@link PreAuthLog}. */
export interface PreAuthLogOptions {
  /** Where lines go. */
  readonly log?: (event: PreAuthLogEvent) => void;
  /** Failures per source and window before the source is refused. @default {@link AUTH_FAILURES}.limit */
  readonly failureLimit?: number;
  /** The window and summary period. @default {@link AUTH_FAILURES}.windowMs */
  readonly windowMs?: number;
  /**
   * Sources tracked at once; the rest share one entry: one summary line, and one failure count, so that once
   * they failed `failureLimit` times together, every source without its own entry is refused until that
   * window ends (tracked sources are not). @default {@link TRACKED_SOURCES_LIMIT}
   */
  readonly trackedSources?: number;
}

interface SourceState {
  /** Events since the last line, by event name. */
  readonly counts: Map<string, number>;
  total: number;
  /** Failures in the current window (the first, logged, one included). */
  failures: number;
  timer: NodeJS.Timeout;
}

/** The key under which sources past {@link PreAuthLogOptions.trackedSources} are counted together. */
const OTHERS = '*';

/** The summarising log and per-source failure counter; see the module comment. */
export class PreAuthLog {
  readonly #sources = new Map<string, SourceState>();
  readonly #log: (event: PreAuthLogEvent) => void;
  readonly #failureLimit: number;
  readonly #windowMs: number;
  readonly #tracked: number;

  constructor(options: PreAuthLogOptions = {}) {
    this.#log = options.log ?? (() => undefined);
    this.#failureLimit = options.failureLimit ?? AUTH_FAILURES.limit;
    this.#windowMs = options.windowMs ?? AUTH_FAILURES.windowMs;
    this.#tracked = options.trackedSources ?? TRACKED_SOURCES_LIMIT;
  }

  /**
   * True while `source` has used up its failures of the current window; for a source counted with the others
   * (past {@link PreAuthLogOptions.trackedSources}), while the others together have.
   */
  blocked(source: string): boolean {
    const state = this.#sources.get(this.#keyOf(source));
    return state !== undefined && state.failures >= this.#failureLimit;
  }

  /** Records an event of `source`; `failure` counts it toward the source's limit. */
  record(source: string, event: PreAuthLogEvent, failure: boolean): void {
    const key = this.#keyOf(source);
    const state = this.#sources.get(key);
    if (state) {
      state.counts.set(event.event, (state.counts.get(event.event) ?? 0) + 1);
      state.total++;
      if (failure) state.failures++;
      return;
    }
    const timer = setTimeout(() => this.#endWindow(key), this.#windowMs);
    timer.unref();
    this.#sources.set(key, { counts: new Map(), total: 0, failures: failure ? 1 : 0, timer });
    this.#log(key === OTHERS ? withoutSource(event) : event);
  }

  /** Logs every pending summary now and forgets every source (the server is closing). */
  flush(): void {
    for (const [key, state] of [...this.#sources]) {
      clearTimeout(state.timer);
      this.#summarise(key, state);
    }
    this.#sources.clear();
  }

  /** The entry `source` is counted under: its own, or the shared one when no more sources are tracked. */
  #keyOf(source: string): string {
    return this.#sources.has(source) || this.#sources.size < this.#tracked ? source : OTHERS;
  }

  #endWindow(key: string): void {
    const state = this.#sources.get(key);
    if (!state) return;
    if (state.total === 0) {
      this.#sources.delete(key);
      return;
    }
    this.#summarise(key, state);
    state.counts.clear();
    state.total = 0;
    state.failures = 0;
    state.timer = setTimeout(() => this.#endWindow(key), this.#windowMs);
    state.timer.unref();
  }

  #summarise(key: string, state: SourceState): void {
    if (state.total === 0) return;
    const kinds = [...state.counts].map(([event, count]) => `${event} ×${count}`).join(', ');
    const from = key === OTHERS ? 'other sources' : key;
    this.#log({
      event: 'summary',
      detail: `${state.total} more before authentication from ${from} within ${this.#windowMs / 1000} s: ${kinds}`,
      ...(key !== OTHERS && { remote_ip: key }),
      count: state.total,
    });
  }
}

function withoutSource(event: PreAuthLogEvent): PreAuthLogEvent {
  const { remote_ip: _omitted, ...rest } = event;
  return { ...rest, detail: `${event.detail} (from ${event.remote_ip ?? 'unknown'}; more sources than tracked)` };
}
