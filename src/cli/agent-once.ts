/**
 * `sentry-query agent --once`: this host's connections printed once, as the records `sentry-netstat` emits. A
 * one-shot process whose start-up is most of its cost at a few thousand sockets, so this module loads only
 * what printing needs: no commander, zod, ws or record writers for the usual jsonl output. `main.ts` runs
 * {@link runAgentOnce} for `agent ... --once ...` from a bundle of this module (dist/agent-once.mjs, built by
 * scripts/bundle-agent-once.mjs), falling back to the full `agent` mode (run-agent.ts, commander) for any
 * command line it does not take as is: help, an unknown option, a bad value, all of which that mode words.
 *
 * @module
 */
import { hostname } from 'node:os';
import { collectConnections } from '../agent/collect-connections.js';
import { connectionJsonlChunks } from '../agent/connection-jsonl.js';
import { AGENT_LOG_FORMATS, agentLog, type AgentLog, type AgentLogFormat } from './agent-log.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { LOG_LEVELS, type LogLevel } from './logger.js';
import type { OutputFormat } from './output-format.js';
import { writeText } from './output/write-text.js';
import { warnIfPidsHidden } from './pids-hidden-warning.js';

/** `--format`'s choices (output-format.ts's OUTPUT_FORMATS, which loads every writer; a test holds them equal). */
export const ONCE_OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'jsonl', 'csv'];

/** What `agent --once` needs from its command line. */
export interface OnceArguments {
  readonly guid: string;
  readonly format?: OutputFormat;
  /** `--detail`: the detail fields too (as `sentry-netstat detail=t`). */
  readonly detail?: boolean;
}

/** What {@link parseOnceCommandLine} takes: the options of `agent --once` that have a value, and their choices. */
const VALUE_OPTIONS: Readonly<Record<string, readonly string[] | undefined>> = {
  '--guid': undefined,
  '--format': ONCE_OUTPUT_FORMATS,
  '--log-format': AGENT_LOG_FORMATS,
  '--log-level': LOG_LEVELS,
};

/** An `agent --once` command line taken as is. */
export interface OnceCommandLine extends OnceArguments {
  readonly logFormat: AgentLogFormat;
  readonly logLevel: LogLevel;
}

/**
 * The arguments after `agent`, when they are a plain `--once` command line: `--once`, optionally `--detail`, and any of `--guid G`,
 * `--format F`, `--log-format F`, `--log-level L` (or `--opt=value`), each at most once, every value one of
 * its choices and none starting with `-`. Anything else (help, another option, a repeat, a bad value) is
 * undefined: the full `agent` mode parses it with commander and words its errors.
 */
export function parseOnceCommandLine(argv: readonly string[]): OnceCommandLine | undefined {
  const values = new Map<string, string>();
  let once = false;
  let detail = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--once') {
      if (once) return undefined;
      once = true;
      continue;
    }
    if (arg === '--detail') {
      if (detail) return undefined;
      detail = true;
      continue;
    }
    const equals = arg.indexOf('=');
    const name = equals === -1 ? arg : arg.slice(0, equals);
    if (!Object.hasOwn(VALUE_OPTIONS, name) || values.has(name)) return undefined;
    const value = equals === -1 ? argv[++i] : arg.slice(equals + 1);
    if (value === undefined || value === '' || value.startsWith('-')) return undefined;
    const choices = VALUE_OPTIONS[name];
    if (choices !== undefined && !choices.includes(value)) return undefined;
    values.set(name, value);
  }
  if (!once) return undefined;
  const format = values.get('--format') as OutputFormat | undefined;
  return {
    guid: values.get('--guid') ?? hostname(),
    ...(format !== undefined && { format }),
    ...(detail && { detail }),
    logFormat: (values.get('--log-format') ?? 'text') as AgentLogFormat,
    logLevel: (values.get('--log-level') ?? 'info') as LogLevel,
  };
}

/**
 * Runs `agent --once` for the arguments after `agent`, or resolves with undefined when they are not a plain
 * `--once` command line ({@link parseOnceCommandLine}) and the full mode must take them.
 */
export async function runAgentOnce(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const args = parseOnceCommandLine(argv);
  if (args === undefined) return undefined;
  return printOnce(args, io, agentLog(args.logFormat, args.logLevel, args.guid, io));
}

/** Prints this host's connections once, in `args.format` (default: table on a terminal, else jsonl). */
export async function printOnce(args: OnceArguments, io: CliIo, log: AgentLog): Promise<number> {
  await warnIfPidsHidden(log);
  // oneShot: printOnce is a process's only collection (agent --once), whichever path started it.
  const detail = args.detail === true;
  const { connections, rejected } = await collectConnections({ oneShot: true, detail });
  // Entries systeminformation gave that we could not read are said, not silently dropped.
  if (rejected.length > 0) io.stderr.write(`warning: ${rejected.length} entries skipped (first: ${rejected[0]})\n`);
  const format = args.format ?? (io.stdout.isTTY === true ? 'table' : 'jsonl');
  if (format === 'jsonl' && !detail) {
    // The usual case (a pipe, a collector): the lines straight from the connections (connection-jsonl.ts).
    for (const chunk of connectionJsonlChunks(args.guid, connections)) await writeText(io.stdout, chunk);
    return EXIT.ok;
  }
  // The records sentry-netstat would emit for this host (see connectionRows for why they are not re-checked).
  const [{ connectionRows }, { createRecordWriter }] = await Promise.all([
    import('../agent/connection-rows.js'),
    import('./output-format.js'),
  ]);
  const writer = createRecordWriter(format, io.stdout);
  for (const row of connectionRows(args.guid, connections, { detail })) await writer.write(row);
  await writer.end();
  return EXIT.ok;
}
