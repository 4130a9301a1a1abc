import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { hostname, platform } from 'node:os';
import { OUTPUT_FORMATS, type OutputFormat } from './output-format.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import type { CliIo } from './cli-io.js';
import { INSECURE_HELP } from './tls-options.js';
import { NATS_HELP, type NatsArguments } from './nats-options.js';
import { AGENT_LOG_FORMATS, agentLog, type AgentLog, type AgentLogFormat } from './agent-log.js';
import { printOnce } from './agent-once.js';
import { warnIfPidsHidden } from './pids-hidden-warning.js';
import { LOG_LEVELS, parseLogLevel, type LogLevel } from './logger.js';

interface AgentArguments extends NatsArguments {
  readonly once?: boolean;
  readonly detail?: boolean;
  readonly connect?: string;
  readonly keyFile?: string;
  readonly ca?: string;
  readonly insecure?: boolean;
  readonly guid: string;
  readonly format?: OutputFormat;
  readonly logFormat: AgentLogFormat;
  readonly logLevel: string;
}

/**
 * `sentry-query agent --connect wss://HOST:PORT --key-file FILE [--guid GUID] [--ca FILE] [--insecure]` runs a
 * sentry (or `--nats tls://HOST:PORT --creds FILE [--nats-ca FILE]`: on NATS itself, src/nats/direct-agent.ts): it connects (plain `ws://` only to loopback, unless `--insecure`), proves its key, answers `netstat` with this host's connections and reconnects with backoff
 * until interrupted, or stops (exit 1) on a refusal retrying cannot fix (src/agent/link-failure.ts). `sentry-query agent --once [--detail] [--guid GUID] [--format …]` prints this host's connections in
 * the records `sentry-netstat` (with `--detail`, `sentry-netstat detail=t`) emits, then exits.
 */
export async function runAgent(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query agent')
    .description("Runs this host's sentry (--connect), or prints this host's connections (--once).")
    .option('--once', "print this host's connections and exit")
    .option('--detail', 'with --once: add process, owners, uid, inode, netns and container (as sentry-netstat detail=t)')
    .option('--connect <url>', 'connector to connect to (wss://; ws:// to loopback)')
    .option('--key-file <file>', "file holding this sentry's key (with --connect)")
    .option('--ca <file>', 'PEM certificate to trust for wss:// (e.g. a self-signed connector)')
    .option('--insecure', INSECURE_HELP)
    .option('--guid <guid>', 'the sentry guid (the default, the host name, is shared by cloned machines)', hostname())
    .addOption(
      new Option('--format <format>', 'output format with --once (default: table on a terminal, else jsonl)').choices(OUTPUT_FORMATS),
    );
  // An agent on NATS itself (no data node): `--nats URLS --creds FILE`.
  NATS_HELP.addTo(program, false);
  program
    .addOption(
      new Option('--log-format <format>', 'text lines, or JSON lines with levels (for a service: journald, a log shipper)')
        .choices(AGENT_LOG_FORMATS)
        .default('text'),
    )
    .option('--log-level <level>', `least severe events kept with --log-format json: ${LOG_LEVELS.join(', ')}`, 'info');
  program.addHelpText(
    'after',
    '\nExamples:\n  sentry-query agent --once --format table\n' +
      '  sentry-query agent --once --detail --format csv\n' +
      '  sentry-query agent --connect wss://node:8443 --guid web-01 --key-file web-01.key --ca cert.pem\n' +
      '  sentry-query agent --guid web-01 --nats tls://nats1:4222,tls://nats2:4222 --creds web-01.nk --nats-ca ca.pem\n',
  );
  const parsed = await parseCommandLine<[AgentArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  let level: LogLevel;
  try {
    level = parseLogLevel(args.logLevel);
  } catch (error) {
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  const log = agentLog(args.logFormat, level, args.guid, io);
  if (args.once) return printOnce(args, io, log);
  if (args.detail) {
    io.stderr.write('error: --detail goes with --once (a connected sentry adds the detail fields when a query asks: detail=t)\n');
    return EXIT.failure;
  }
  if (args.connect !== undefined && args.nats !== undefined) {
    io.stderr.write('error: --connect (a data node) and --nats (NATS itself) do not go together\n');
    return EXIT.failure;
  }
  if (args.connect !== undefined) return runConnected(args, args.connect, io, log);
  if (args.nats !== undefined) return runOnNats(args, io, log);
  io.stderr.write(
    "error: give --connect URL --key-file FILE (or --nats URLS --creds FILE) to run the sentry, or --once to print this host's connections\n",
  );
  return EXIT.failure;
}

async function runConnected(args: AgentArguments, url: string, io: CliIo, log: AgentLog): Promise<number> {
  if (args.keyFile === undefined) {
    io.stderr.write('error: --connect needs --key-file FILE\n');
    return EXIT.failure;
  }
  // Loaded here, not at the top: `agent --once` is a one-shot process and must not pay for ws at start-up.
  const [{ startAgent }, { KeyFileError, loadAgentKey }, { AGENT_METHODS }, { checkAgentGuid, checkAgentUrl }] = await Promise.all([
    import('../agent/agent-client.js'),
    import('../connector/key-file.js'),
    import('../plugin.js'),
    import('../agent/agent-config.js'),
  ]);
  // Before anything is read or opened: a URL or guid that cannot work, or plain ws:// off this machine without
  // --insecure, is refused in one line.
  try {
    checkAgentUrl(url, args.insecure === true);
    checkAgentGuid(args.guid);
  } catch (error) {
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  let key: Buffer;
  let ca: Buffer | undefined;
  try {
    key = await loadAgentKey(args.keyFile);
    ca = args.ca === undefined ? undefined : await readFile(args.ca);
  } catch (error) {
    io.stderr.write(`error: ${error instanceof KeyFileError ? messageOf(error) : `cannot read ${args.ca}: ${messageOf(error)}`}\n`);
    return EXIT.failure;
  }
  await warnIfPidsHidden(log);
  let failed: ((message: string) => void) | undefined;
  const failure = new Promise<string>((resolve) => (failed = resolve));
  const agent = startAgent({
    url,
    insecure: args.insecure === true,
    guid: args.guid,
    key,
    hostname: hostname(),
    os: platform(),
    methods: AGENT_METHODS,
    ...(ca && { wsOptions: { ca }, caLabel: args.ca }),
    onStatus: (status) => {
      if (status.state === 'connected') log('info', 'agent-connected', `connected to ${url} as ${args.guid}`, { url });
      if (status.state === 'disconnected') {
        const text = `${messageOf(status.message)}; retrying in ${(status.retryInMs / 1000).toFixed(1)} s`;
        log('warn', 'agent-disconnected', text, { retry_in_ms: status.retryInMs });
      }
      if (status.state === 'failed') failed?.(status.message);
    },
  });
  // Runs until interrupted (SIGINT), then closes the link cleanly; or until a refusal retrying cannot fix.
  const interrupted = new Promise<void>((resolve) => {
    if (!io.signal || io.signal.aborted) return resolve();
    io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const permanent = await Promise.race([failure, interrupted.then(() => undefined)]);
  await agent.stop();
  if (permanent === undefined) return EXIT.ok;
  if (args.logFormat === 'json') log('error', 'agent-stopped', messageOf(permanent));
  else io.stderr.write(`error: ${messageOf(permanent)}\n`);
  return EXIT.failure;
}

async function runOnNats(args: AgentArguments, io: CliIo, log: AgentLog): Promise<number> {
  if (args.creds === undefined) {
    io.stderr.write('error: --nats needs --creds FILE (issued by `sentry-query nats-user --role agent --guid GUID`)\n');
    return EXIT.failure;
  }
  await warnIfPidsHidden(log);
  const [{ startNatsRole }, { serveSentryOnNats }, { AGENT_METHODS }] = await Promise.all([
    import('./nats-options.js'),
    import('../nats/direct-agent.js'),
    import('../plugin.js'),
  ]);
  let agent: Awaited<ReturnType<typeof startNatsRole<Awaited<ReturnType<typeof serveSentryOnNats>>>>>;
  try {
    agent = await startNatsRole(
      args,
      `agent ${args.guid}`,
      (event) =>
        log(
          event.event === 'nats-reconnected' ? 'info' : event.event === 'nats-error' ? 'error' : 'warn',
          event.event,
          `${event.event === 'nats-error' ? 'NATS error' : event.event.replace('nats-', 'NATS ')}: ${event.detail}`,
        ),
      (nc) => serveSentryOnNats({ nc, guid: args.guid, methods: AGENT_METHODS, hostname: hostname(), os: platform() }),
    );
  } catch (error) {
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  log('info', 'agent-serving', `serving ${args.guid} on NATS ${agent.server}`, { server: agent.server });
  if (io.signal && !io.signal.aborted) await new Promise((resolve) => io.signal!.addEventListener('abort', resolve, { once: true }));
  await agent.close();
  return EXIT.ok;
}
