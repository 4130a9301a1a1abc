import { Command } from 'commander';
import type { Readable } from 'node:stream';
import { loadScenarioFile } from '../../sdk-mock/scenario.js';
import { encodeChunk } from '../splunk/chunked-protocol.js';
import type { SessionBackend } from '../splunk/session-backend.js';
import { runSplunkSession } from '../splunk/search-command-session.js';
import { SPLUNK_COMMANDS, splunkCommandNamed } from '../splunk/splunk-commands.js';
import type { CliIo } from './cli-io.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import { parseCommandLine } from './parse-command-line.js';
import { scenarioBackend } from './splunk-scenario.js';

interface SplunkArguments {
  readonly scenario?: string;
  readonly appDir?: string;
  readonly logLevel: string;
}

/** The streams of a Splunk session: splunkd writes chunks on stdin and reads the answers on stdout. */
export interface SplunkIo extends CliIo {
  /** @default process.stdin */
  readonly stdin?: Readable | AsyncIterable<Uint8Array | string>;
}

const EXAMPLES = [
  '',
  'Splunk runs it (the app sentry_netstat, default/commands.conf):',
  '  filename = sentry-query, command.arg.1 = splunk, command.arg.2 = sentrynetstat',
  '',
  'Offline, one getinfo and one execute chunk on stdin:',
  '  { printf \'chunked 1.0,75,0\\n{"action":"getinfo","searchinfo":{"username":"admin","args":["timeout=5"]}}\'',
  '    printf \'chunked 1.0,36,14\\n{"action":"execute","finished":true}guid\\r\\nweb-01\\r\\n\'; } \\',
  '    | sentry-query splunk sentrynetstat --scenario examples/fleet.json',
  '',
].join('\n');

/**
 * `sentry-query splunk COMMAND [--scenario FILE] [--app-dir DIR]`: one run of a Splunk custom search command
 * (protocol v2) on stdin/stdout, as splunkd starts it. With `--scenario`, against the offline scenario; without,
 * as the app runs it: its settings (`default/` and `local/sentry.conf` of the app folder), the caller's capability
 * asked of splunkd, the sentries through the NATS cluster.
 *
 * A failure before the session (an unknown command, unreadable settings) is answered on the protocol too, so
 * Splunk shows it, and written on stderr (search.log).
 */
export async function runSplunk(argv: readonly string[], io: SplunkIo): Promise<number> {
  const program = new Command()
    .name('sentry-query splunk')
    .description('Runs one of the Splunk app’s commands on the custom search command protocol v2 (stdin/stdout), as splunkd starts it.')
    .argument('<command>', `the Splunk command: ${Object.keys(SPLUNK_COMMANDS).join(', ')}`)
    .option('--scenario <file>', 'run against an offline scenario (its users stand for Splunk users) instead of splunkd and the cluster')
    .option(
      '--app-dir <dir>',
      'the app folder whose default/ and local/sentry.conf are read (default: the folder of the bundled launcher, or $SENTRY_APP_DIR)',
    )
    .option('--log-level <level>', 'least severe log events kept on stderr (search.log)', 'warn')
    .addHelpText('after', EXAMPLES);
  const parsed = await parseCommandLine<[string, SplunkArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [name, args] = parsed;
  const fail = (message: string): number => {
    io.stderr.write(`error: ${message}\n`);
    // splunkd reads stdout as the protocol: the same error as an answer, so the search shows it.
    io.stdout.write(encodeChunk({ error: message, finished: true }));
    return EXIT.failure;
  };
  const command = splunkCommandNamed(name);
  if (!command) return fail(`unknown Splunk command ${JSON.stringify(name)}: the app has ${Object.keys(SPLUNK_COMMANDS).join(', ')}`);
  let backend: SessionBackend;
  try {
    if (args.scenario !== undefined) {
      backend = scenarioBackend(await loadScenarioFile(args.scenario));
    } else {
      const { appBackend } = await import('./splunk-app-backend.js');
      backend = await appBackend({ appDir: args.appDir, logLevel: args.logLevel, stderr: io.stderr });
    }
  } catch (error) {
    return fail(`${name}: ${messageOf(error)}`);
  }
  const input = io.stdin ?? process.stdin;
  try {
    return await runSplunkSession({ command, backend, input, output: io.stdout, ...(io.signal && { signal: io.signal }) });
  } finally {
    // A session stopped by SIGTERM while splunkd keeps stdin open: stop reading it, or the process never exits.
    if ('destroy' in input && typeof input.destroy === 'function') input.destroy();
  }
}
