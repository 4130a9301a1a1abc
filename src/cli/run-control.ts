import { Command } from 'commander';
import { Host } from '../host/host.js';
import { NO_SENTRIES } from '../host/no-sentries.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { QueryServer } from '../remote/query-server.js';
import { hostPort } from './host-port.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import { readTokenFile } from './token-file.js';
import type { CliIo } from './cli-io.js';
import { NATS_HELP, startNatsRole, type NatsArguments, type NatsRoleHandle } from './nats-options.js';
import type { NatsCluster } from '../nats/nats-cluster.js';
import { plainServingWarning, readServerTls } from './tls-options.js';
import { jsonLinesLogger, LOG_LEVELS, parseLogLevel } from './logger.js';
import { eventsTo } from './event-levels.js';

interface ControlArguments extends NatsArguments {
  readonly queryPort: string;
  readonly adminTokenFile: string;
  readonly host: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly logLevel: string;
}

/**
 * `sentry-query control --nats tls://HOST:PORT,... --creds FILE --query-port P --admin-token-file A
 * [--tls-cert FILE --tls-key FILE] [--nats-ca FILE] [--insecure]` runs a cluster's control node: it follows the
 * data nodes' and direct agents' announcements on NATS and takes queries (as the administrator) over the whole
 * cluster. Prints `queries on ws[s]://HOST:PORT` once ready; logs data nodes joining, going silent, coming back
 * and leaving, its own NATS connection, and every query (the audit trail), on stderr (src/cli/logger.ts: one JSON
 * object per line, `--log-level`); runs until interrupted.
 */
export async function runControl(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query control')
    .description('Runs the control node of a cluster on NATS.')
    .requiredOption('--query-port <port>', 'port to take queries on (0: any free port)')
    .requiredOption('--admin-token-file <file>', 'file holding the administrator token that query clients must present')
    .option('--host <address>', 'address to take queries on', '127.0.0.1')
    .option('--tls-cert <file>', 'PEM certificate: serve wss:// on the query port')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--log-level <level>', `least severe log events kept on stderr: ${LOG_LEVELS.join(', ')}`, 'info');
  NATS_HELP.addTo(program);
  program.addHelpText(
    'after',
    '\nExample:\n  sentry-query control --nats tls://nats1:4222,tls://nats2:4222 --creds control.nk --nats-ca ca.pem \\\n' +
      '    --query-port 9443 --admin-token-file admin.token --tls-cert cert.pem --tls-key key.pem\n',
  );
  const parsed = await parseCommandLine<[ControlArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  if (args.nats === undefined) {
    io.stderr.write('error: a control node needs --nats URLS (the NATS servers of the cluster)\n');
    return EXIT.failure;
  }
  let logLevel: ReturnType<typeof parseLogLevel>;
  try {
    logLevel = parseLogLevel(args.logLevel);
  } catch (error) {
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  const logger = jsonLinesLogger({ write: (line) => void io.stderr.write(line), level: logLevel });
  const log = eventsTo(logger);
  let cluster: NatsRoleHandle<NatsCluster> | undefined;
  let queries: QueryServer;
  let tls: Awaited<ReturnType<typeof readServerTls>>;
  try {
    const port = Number(args.queryPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--query-port must be a port 0..65535, not ${args.queryPort}`);
    tls = await readServerTls(args.tlsCert, args.tlsKey);
    const adminToken = await readTokenFile(args.adminTokenFile);
    cluster = await startNatsRole(args, 'control node', log, async (nc) => {
      const { NatsCluster } = await import('../nats/nats-cluster.js');
      const natsCluster = new NatsCluster({ nc, log });
      // Queries taken from now on see every node and agent that answered the start-up ping.
      await natsCluster.directory.settled();
      return natsCluster;
    });
    if (cluster.role.nodes().length === 1 && cluster.role.sentries().length === 0) {
      // Never a silent empty cluster: say so (queries would list nothing).
      log({
        event: 'no-nodes',
        detail:
          'no data node or direct agent has announced itself on NATS yet: check that they run with --nats to the same servers, with their credentials',
      });
    }
    const host = new Host({ connector: NO_SENTRIES, cluster: cluster.role, users: { admin: { admin: true } }, commands: PLUGIN_COMMANDS });
    queries = await QueryServer.listen({
      start: (query, options) => host.start(query, options),
      adminToken,
      host: args.host,
      port,
      ...(tls && { tls }),
      // Refused and failed query requests, one JSON line each (summarised per source), and every query run.
      log: eventsTo(logger.child({ port: 'query' })),
      audit: eventsTo(logger.child({ port: 'query' })),
    });
  } catch (error) {
    await cluster?.close();
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  const warning = plainServingWarning(args.host, tls);
  if (warning) io.stderr.write(warning);
  io.stdout.write(`control node on NATS ${cluster.server}\n`);
  io.stdout.write(`queries on ${tls ? 'wss' : 'ws'}://${hostPort(queries.address().address, queries.address().port)}\n`);
  if (io.signal && !io.signal.aborted) await new Promise((resolve) => io.signal!.addEventListener('abort', resolve, { once: true }));
  await queries.close();
  await cluster.close();
  return EXIT.ok;
}
