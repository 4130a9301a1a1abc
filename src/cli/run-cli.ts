import { Command, Option } from 'commander';
import { Host } from '../host/host.js';
import type { QueryOutcome } from '../host/query-execution.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { loadScenarioFile, ScenarioError } from '../../sdk-mock/scenario.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import { formatQueryParseError } from '../errors/query-excerpt.js';
import { RemoteQueryError, runRemoteQuery } from '../remote/remote-query.js';
import { requireSecureUrl } from '../rpc/transport-security.js';
import { startLocalSentry } from './local-sentry.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import { readTokenFile } from './token-file.js';
import { createRecordWriter, knownOutputFields, OUTPUT_FORMATS, type OutputFormat, type WriterOptions } from './output-format.js';
import { builtinCommands } from '../host/commands/builtin-commands.js';
import type { CommandParser } from '../runtime/command.js';
import type { CliIo } from './cli-io.js';
import { scenarioHost, type ScenarioOptions } from './scenario-host.js';
import { CA_HELP, INSECURE_HELP, readClientTls } from './tls-options.js';
import { MODES } from './modes.js';
import { watchForClosedOutput } from './closed-output.js';
import { CallTally, countedConnector } from './progress-tally.js';
import { ProgressLine } from './progress-line.js';
import { packageVersion } from './package-version.js';

export { EXIT };
export type { CliIo };

interface CliArguments {
  readonly query: string;
  readonly scenario: string | undefined;
  readonly host: string | undefined;
  readonly tokenFile: string | undefined;
  readonly ca: string | undefined;
  readonly insecure: boolean;
  /** `--user`, when given (a scenario or this host runs the query as `admin` without it). */
  readonly user: string | undefined;
  readonly format: OutputFormat | undefined;
}

/** A failure already worded for the user: printed as one line, with this exit code. */
class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

type QueryOptions = {
  scenario?: string;
  host?: string;
  tokenFile?: string;
  ca?: string;
  insecure?: boolean;
  user?: string;
  format?: OutputFormat;
};

/** The end of `sentry-query --help`: the other modes and examples. */
const QUERY_HELP_AFTER = [
  '',
  'Modes (sentry-query MODE --help, or sentry-query help MODE, for each):',
  ...Object.entries(MODES).map(([name, mode]) => `  ${name.padEnd(10)} ${mode.summary}`),
  '',
  'Examples:',
  "  sentry-query 'sentry | fields guid | sentry-netstat'                       # this host's own sentry",
  '  sentry-query --scenario examples/fleet.json --format csv \\',
  '    \'sentry | fields guid | sentry-netstat | search state == "LISTEN"\'       # an offline fleet, as CSV',
  '  sentry-query --host wss://node:8444 --token-file admin.token --ca cert.pem \\',
  "    'sentry | fields guid | sentry-netstat timeout=60'                       # a node's sentries",
  '',
  'Docs: docs/commands/sentry-query.md; error codes: docs/errors.md',
  '',
].join('\n');

/** Parses argv; resolves with the arguments, or with the exit code when commander printed help or a usage error. */
async function parseArguments(argv: readonly string[], io: CliIo): Promise<CliArguments | number> {
  const program = new Command()
    .name('sentry-query')
    .description(
      'Runs a query (e.g. "sentry | fields guid | sentry-netstat") against this host\'s own sentry, or an offline scenario (--scenario).',
    )
    .argument('<query>', 'the query to run, quoted as one argument')
    .option('--scenario <file>', "JSON scenario (users, config, sentries) for the offline host; without it, this host's own sentry")
    .option('--host <url>', "send the query to a node's query endpoint (wss://HOST:PORT; ws:// to loopback) instead")
    .option('--token-file <file>', "file holding the node's administrator token (with --host)")
    .option('--ca <file>', `${CA_HELP} (with --host)`)
    .option('--insecure', `${INSECURE_HELP} (with --host)`)
    .option('--user <name>', 'run the query as this user of the scenario (default: admin; not with --host)')
    .addOption(new Option('--format <format>', 'output format (default: table on a terminal, else jsonl)').choices(OUTPUT_FORMATS))
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', QUERY_HELP_AFTER);
  // No arguments at all: the help, on stderr (stdout is for records) and exit 1 (nothing ran).
  if (argv.length === 0) {
    program.configureOutput({ writeErr: (text) => io.stderr.write(text) }).outputHelp({ error: true });
    return EXIT.failure;
  }
  const parsed = await parseCommandLine<[string, QueryOptions]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [query, options] = parsed;
  return {
    query,
    scenario: options.scenario,
    host: options.host,
    tokenFile: options.tokenFile,
    ca: options.ca,
    insecure: options.insecure === true,
    user: options.user,
    format: options.format,
  };
}

async function loadScenario(path: string): Promise<ScenarioOptions> {
  try {
    return await loadScenarioFile(path);
  } catch (error) {
    if (error instanceof ScenarioError) throw new CliFailure(`error: bad scenario: ${messageOf(error)}`);
    throw error;
  }
}

function checkUser(host: Host, users: ScenarioOptions['users'], user: string): void {
  try {
    host.session(user);
  } catch {
    const known = Object.keys(users ?? { admin: { admin: true } });
    throw new CliFailure(`error: unknown user '${user}' (the scenario's users: ${known.join(', ') || 'none'})`);
  }
}

/** What the writers know before the records: the query's fields, and where a note goes. */
function writerOptions(query: string, commands: ReadonlyMap<string, CommandParser>, io: CliIo): WriterOptions {
  const fields = knownOutputFields(query, commands);
  return { ...(fields && { fields }), onNote: (line) => io.stderr.write(`${line}\n`) };
}

/** Runs the query on `host`, printing records as `format`; resolves with the exit code. */
async function runQuery(host: Host, args: CliArguments, format: OutputFormat, io: CliIo, tally: CallTally): Promise<number> {
  const writer = createRecordWriter(format, io.stdout, writerOptions(args.query, host.commands, io));
  let readerGone = false;
  let run: ReturnType<Host['start']>;
  // A person at a terminal sees the fan-out's progress; records on the same terminal erase it first.
  const progress = io.stderr.isTTY === true ? new ProgressLine(io.stderr, tally) : undefined;
  const sameTerminal = progress !== undefined && io.stdout.isTTY === true;
  try {
    run = host.start(args.query, {
      user: args.user ?? 'admin',
      onRecord: (row) => {
        if (readerGone) return undefined;
        if (sameTerminal) progress.clear();
        return writer.write(row);
      },
      ...(io.signal && { signal: io.signal }),
    });
  } catch (error) {
    progress?.stop(false);
    if (error instanceof QueryParseError) throw new CliFailure(formatQueryParseError(error, args.query), EXIT.parseError);
    throw error;
  }

  // A reader that went away (`sentry-query ... | head`): stop the query quietly.
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    readerGone = true;
    run.cancel();
    if (error.code !== 'EPIPE') io.stderr.write(`error: cannot write the output: ${messageOf(error)}\n`);
  };
  io.stdout.on('error', onStdoutError);
  // The same when the reader goes while nothing is written (a slow sentry): a write would notice it too late.
  const stopWatching = await watchOutput(io, () => {
    readerGone = true;
    run.cancel();
  });

  let outcome: QueryOutcome | undefined;
  let failure: unknown;
  try {
    outcome = await run.done;
  } catch (error) {
    failure = error;
  }
  stopWatching();
  if (!readerGone) await writer.end();
  io.stdout.off('error', onStdoutError);
  // The summary is for the person at the terminal; a script has the records and their `_error`s.
  progress?.stop(!readerGone);

  if (readerGone) return EXIT.ok;
  if (failure !== undefined) throw new CliFailure(`error: the query failed: ${messageOf(failure)}`);
  const counted = `${writer.count} record${writer.count === 1 ? '' : 's'}`;
  if (outcome?.reason === 'cancel' || io.signal?.aborted) {
    io.stderr.write(`interrupted: query cancelled after ${counted}\n`);
    return EXIT.interrupted;
  }
  if (format === 'table') io.stderr.write(`${counted}\n`);
  return EXIT.ok;
}

/**
 * Calls `onClosed` when the reader of the process's stdout goes away ({@link watchForClosedOutput}); only for the
 * process's own stdout (a test's stream has no reader to lose). Resolves with a function that stops watching.
 */
function watchOutput(io: CliIo, onClosed: () => void): Promise<() => void> {
  return io.stdout === process.stdout ? watchForClosedOutput(onClosed) : Promise.resolve(() => undefined);
}

/** Sends the query to a node's query endpoint and prints what it streams back. */
async function runOnNode(args: CliArguments, url: string, io: CliIo): Promise<number> {
  if (args.scenario !== undefined) throw new CliFailure('error: --host and --scenario do not go together');
  if (args.tokenFile === undefined) throw new CliFailure('error: --host needs --token-file FILE');
  // A node runs every query as the administrator whose token is presented: it has no users to pick from, so a
  // --user would be ignored and the query would run with more rights than asked for.
  if (args.user !== undefined) {
    throw new CliFailure('error: --user does not go with --host: a node runs queries as the administrator of --token-file; drop --user');
  }
  // Before anything is read or opened: a plain ws:// off this machine is refused unless --insecure.
  try {
    requireSecureUrl(url, args.insecure);
  } catch (error) {
    throw new CliFailure(`error: ${messageOf(error)}`);
  }
  let token: Buffer;
  let wsOptions: { ca: Buffer } | undefined;
  try {
    token = await readTokenFile(args.tokenFile);
    wsOptions = await readClientTls(args.ca);
  } catch (error) {
    throw new CliFailure(`error: ${messageOf(error)}`);
  }
  const format = args.format ?? (io.stdout.isTTY === true ? 'table' : 'jsonl');
  // The node's commands are not known here; ours are the same plugin's (a command we do not know: no header).
  const commands = new Map([...builtinCommands, ...PLUGIN_COMMANDS].map((c) => [c.name, c]));
  const writer = createRecordWriter(format, io.stdout, writerOptions(args.query, commands, io));
  // A reader that went away (`| head -1`) while the node is still working: close the query, quietly.
  const readerGone = new AbortController();
  const stopWatching = await watchOutput(io, () => readerGone.abort());
  const signal = io.signal ? AbortSignal.any([io.signal, readerGone.signal]) : readerGone.signal;
  let outcome: { reason: 'end' | 'cancel' };
  try {
    outcome = await runRemoteQuery({
      url,
      token,
      insecure: args.insecure,
      ...(wsOptions && { wsOptions }),
      query: args.query,
      onRecord: (row) => writer.write(row),
      signal,
    });
  } catch (error) {
    stopWatching();
    if (readerGone.signal.aborted) return EXIT.ok;
    await writer.end();
    if (error instanceof RemoteQueryError && error.code !== undefined)
      throw new CliFailure(`${error.code} ${messageOf(error)}`, EXIT.parseError);
    throw new CliFailure(`error: ${messageOf(error)}`);
  }
  stopWatching();
  if (readerGone.signal.aborted) return EXIT.ok;
  await writer.end();
  if (outcome.reason === 'cancel') {
    io.stderr.write(`interrupted: query cancelled after ${writer.count} records\n`);
    return EXIT.interrupted;
  }
  if (format === 'table') io.stderr.write(`${writer.count} record${writer.count === 1 ? '' : 's'}\n`);
  return EXIT.ok;
}

/**
 * `sentry-query [--scenario FILE] [--user NAME] [--format table|jsonl|csv] "QUERY"`, testable: takes the
 * arguments after the program name and the streams, and resolves with the exit code (it never exits the
 * process). Exit codes: 0 ran, 2 parse error (`CODE MESSAGE` on stderr), 1 any other failure (one line on
 * stderr), 130 interrupted through `io.signal`.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    // A number: commander has printed the help or the usage error already.
    const args = await parseArguments(argv, io);
    if (typeof args === 'number') return args;
    if (args.host !== undefined) return await runOnNode(args, args.host, io);
    // Without a scenario: this host's own sentry, over a real WebSocket on loopback.
    const local = args.scenario === undefined ? await startLocalSentry() : undefined;
    try {
      const scenario = local ? undefined : await loadScenario(args.scenario!);
      if (io.signal?.aborted) return EXIT.interrupted;
      const tally = new CallTally();
      const host = scenario
        ? scenarioHost(scenario, tally)
        : new Host({ connector: countedConnector(local!.connector, tally), commands: PLUGIN_COMMANDS });
      try {
        checkUser(host, scenario?.users, args.user ?? 'admin');
        const format = args.format ?? (io.stdout.isTTY === true ? 'table' : 'jsonl');
        return await runQuery(host, args, format, io, tally);
      } finally {
        host.close();
      }
    } finally {
      await local?.close();
    }
  } catch (error) {
    if (error instanceof CliFailure) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
}
