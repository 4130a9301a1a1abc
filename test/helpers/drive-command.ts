import type { CommandContext, CommandParser, QueryCommand, QueryDriver, StopReason } from '../../src/runtime/command.js';
import { QueryParseError } from '../../src/errors/query-parse-error.js';
import type { SentryConnector, SentryInfo } from '../../src/runtime/sentry-connector.js';
import { hostConfigFrom } from '../../src/runtime/session.js';
import type { Row } from '../../src/runtime/value.js';

/** What a command did over its input. */
export interface DriveResult {
  /** Every record it emitted, in order. */
  readonly rows: Row[];
  /** How many times it called `finishUpstream`. */
  readonly finishUpstreamCalls: number;
  /** How many input records it was given (pushing stops once it calls `finishUpstream`). */
  readonly pushed: number;
}

/** Options of {@link driveCommand}. */
export interface DriveOptions {
  /** What `ctx.sentries.list()` returns. */
  readonly sentries?: readonly SentryInfo[];
  /** The reason given to `onClose` (default `end`). */
  readonly closeWith?: StopReason;
  /** Keep pushing after `finishUpstream`, as a host does with records already in flight. */
  readonly pushAfterFinish?: boolean;
}

const parseContext = { session: { user: 'tester', isAdmin: true }, config: hostConfigFrom(), env: {} };

/**
 * Parses `argText` with `parser` and runs the command as a host would: `onStart`, then `run` (drivers) or one
 * awaited `onPush` per input record, then `onClose('end')`. Once the command calls `finishUpstream`, no more
 * records are pushed (unless `pushAfterFinish`).
 *
 * @example
 * ```ts
 * const { rows } = await driveCommand(limitCommand, ' 2', [{ n: 1 }, { n: 2 }, { n: 3 }]);
 * ```
 */
export async function driveCommand(
  parser: CommandParser,
  argText: string,
  input: readonly Row[] = [],
  options: DriveOptions = {},
): Promise<DriveResult> {
  const command = parser.parse(parseContext, argText);
  const rows: Row[] = [];
  let finishUpstreamCalls = 0;
  let pushed = 0;
  const ctx: CommandContext = {
    emit: async (row) => { rows.push(row); },
    signal: new AbortController().signal,
    sentries: fakeSentries(options.sentries ?? []),
    session: parseContext.session,
    config: parseContext.config,
    finishUpstream: () => { finishUpstreamCalls++; },
  };
  await command.onStart(ctx);
  if (isDriver(command)) {
    await command.run();
  } else {
    for (const row of input) {
      if (finishUpstreamCalls > 0 && !options.pushAfterFinish) break;
      pushed++;
      await command.onPush(row);
    }
  }
  await command.onClose(options.closeWith ?? 'end');
  return { rows, finishUpstreamCalls, pushed };
}

/** The error `parser.parse` throws for `argText`; fails when it parses. */
export function parseErrorOf(parser: CommandParser, argText: string): QueryParseError {
  try {
    parser.parse(parseContext, argText);
  } catch (error) {
    if (error instanceof QueryParseError) return error;
    throw error;
  }
  throw new Error(`${parser.name} accepted ${JSON.stringify(argText)}`);
}

function isDriver(command: QueryCommand | QueryDriver): command is QueryDriver {
  return 'run' in command;
}

function fakeSentries(list: readonly SentryInfo[]): SentryConnector {
  return {
    call: () => Promise.reject(new Error('driveCommand: no sentry calls')),
    list: () => list,
  };
}
