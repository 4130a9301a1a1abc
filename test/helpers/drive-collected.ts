import { QueryParseError } from '../../src/errors/query-parse-error.js';
import { driveCommand } from '../../src/host/drive-command.js';
import type { CommandParser, StopReason } from '../../src/runtime/command.js';
import type { SentryConnector, SentryInfo } from '../../src/runtime/sentry-connector.js';
import { hostConfigFrom } from '../../src/runtime/session.js';
import type { Row } from '../../src/runtime/value.js';

/** What a command did over its input. */
export interface CollectedDrive {
  /** Every record it emitted, in order. */
  readonly rows: Row[];
  /** How many times it called `finishUpstream`. */
  readonly finishUpstreamCalls: number;
  /** How many input records it was given (pushing stops once it calls `finishUpstream`). */
  readonly pushed: number;
}

/** Options of {@link driveCollected}. */
export interface CollectedDriveOptions {
  /** What `ctx.sentries.list()` returns; calls are refused. */
  readonly sentries?: readonly SentryInfo[];
  /** The reason given to `onClose` once the input is exhausted (default `end`). */
  readonly closeWith?: StopReason;
}

const session = { user: 'tester', isAdmin: true };
const config = hostConfigFrom();

/**
 * {@link driveCommand} as a tester, with an empty config and environment, collecting what the command emits.
 * `closeWith: 'cancel' | 'limit'` aborts the run once the input is exhausted, so `onClose` gets that reason.
 *
 * @example
 * ```ts
 * const { rows } = await driveCollected(limitCommand, ' 2', [{ n: 1 }, { n: 2 }, { n: 3 }]);
 * ```
 */
export async function driveCollected(
  parser: CommandParser,
  argText: string,
  input: readonly Row[] = [],
  options: CollectedDriveOptions = {},
): Promise<CollectedDrive> {
  const rows: Row[] = [];
  let finishUpstreamCalls = 0;
  const controller = new AbortController();
  const { closeWith = 'end' } = options;
  function* records(): Generator<Row> {
    yield* input;
    if (closeWith !== 'end') controller.abort(closeWith);
  }
  const { pushed } = await driveCommand(parser, argText, records(), {
    session,
    config,
    env: {},
    sentries: listOnly(options.sentries ?? []),
    onRecord: (row) => void rows.push(row),
    signal: controller.signal,
    onFinishUpstream: () => {
      finishUpstreamCalls++;
    },
  });
  return { rows, finishUpstreamCalls, pushed };
}

/** The error `parser.parse` throws for `argText`; fails when it parses. */
export function parseErrorOf(parser: CommandParser, argText: string): QueryParseError {
  try {
    parser.parse({ session, config, env: {} }, argText);
  } catch (error) {
    if (error instanceof QueryParseError) return error;
    throw error;
  }
  throw new Error(`${parser.name} accepted ${JSON.stringify(argText)}`);
}

function listOnly(list: readonly SentryInfo[]): SentryConnector {
  return {
    call: () => Promise.reject(new Error('driveCollected: no sentry calls')),
    list: () => list,
  };
}
