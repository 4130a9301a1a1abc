/**
 * The operator's log of `node` and `control`: levelled JSON lines on stderr, one event a line,
 * `{"time","level","event",...fields}`.
 *
 * Hand-written rather than pino: what is needed is a level filter and one `write` per line, and every line must
 * go through `terminalSafeJson` (text from sentries and clients with its C1 and bidi controls escaped, which a
 * generic JSON logger does not do). The level names are pino's, and everything logs through {@link Logger}, so
 * pino can be put behind this facade without touching a caller.
 *
 * @module
 */
import { terminalSafeJson } from '../runtime/untrusted-text.js';

/** The levels, least to most severe (pino's names). */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

/** How severe an event is; `--log-level L` keeps events of L and above. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One event: its name, and its own fields (`guid`, `remote_ip`, `detail`, …) beside it. */
export interface LogEvent {
  /** What happened, in kebab case (`sentry-connected`, `query`, `node-joined`). */
  readonly event: string;
}

/** Where a part of the CLI logs. */
export interface Logger {
  /** Logs `event` (with all its fields) at `level`, if the logger keeps that level. */
  log<Event extends LogEvent>(level: LogLevel, event: Event): void;
  /** A logger whose lines all carry `fields` too (e.g. `{port: 'query'}`). */
  child(fields: Readonly<Record<string, unknown>>): Logger;
}

/** Options of {@link jsonLinesLogger}. */
export interface JsonLinesLoggerOptions {
  /** Writes one line (with its newline). */
  readonly write: (line: string) => void;
  /** The least severe level kept. @default 'info' */
  readonly level?: LogLevel;
  /** Fields every line carries, after `time` and `level` (e.g. `{node: 'dn1'}`). */
  readonly fields?: Readonly<Record<string, unknown>>;
  /** The clock. @default () => new Date() */
  readonly now?: () => Date;
}

/** A {@link Logger} writing `{"time","level",...fields,"event",...}` lines through `terminalSafeJson`. */
export function jsonLinesLogger(options: JsonLinesLoggerOptions): Logger {
  const least = LOG_LEVELS.indexOf(options.level ?? 'info');
  const now = options.now ?? (() => new Date());
  const make = (fields: Readonly<Record<string, unknown>>): Logger => ({
    log: (level, event) => {
      if (LOG_LEVELS.indexOf(level) < least) return;
      options.write(`${terminalSafeJson({ time: now().toISOString(), level, ...fields, ...event })}\n`);
    },
    child: (more) => make({ ...fields, ...more }),
  });
  return make(options.fields ?? {});
}

/**
 * Reads a `--log-level` value.
 * @throws an Error naming the levels when `text` is none of them
 */
export function parseLogLevel(text: string): LogLevel {
  const level = LOG_LEVELS.find((l) => l === text);
  if (!level) throw new Error(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${text}`);
  return level;
}
