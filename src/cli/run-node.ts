import { Command } from 'commander';
import { loadKeysFile } from '../connector/key-file.js';
import { WebSocketConnector } from '../connector/websocket-connector.js';
import { Host } from '../host/host.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { QueryServer } from '../remote/query-server.js';
import { hostPort } from './host-port.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import { readTokenFile } from './token-file.js';
import type { NatsDataNode } from '../nats/data-node.js';
import { checkNodeName, NATS_HELP, startNatsRole, type NatsArguments } from './nats-options.js';
import type { CliIo } from './cli-io.js';
import { plainServingWarning, readServerTls } from './tls-options.js';
import { jsonLinesLogger, LOG_LEVELS, parseLogLevel } from './logger.js';
import { eventsTo } from './event-levels.js';
import { keysReloader } from './keys-reload.js';

interface NodeArguments extends NatsArguments {
  readonly listen: string;
  readonly host: string;
  readonly keys: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly queryPort?: string;
  readonly adminTokenFile?: string;
  readonly name?: string;
  readonly logLevel: string;
}

/**
 * `sentry-query node --listen PORT --keys FILE [--host ADDR] [--tls-cert FILE --tls-key FILE] [--name NAME --nats
 * URLS --creds FILE]` runs a connector that sentries on other machines connect to; with `--tls-cert/--tls-key`
 * every port it serves (sentries, queries) is `wss://`. With `--nats` it is a data node of a cluster: it serves
 * its sentries on NATS and announces them (src/nats/data-node.ts). It prints `listening on ws[s]://HOST:PORT` on
 * stdout once ready, logs on stderr (src/cli/logger.ts: one JSON object per line, `--log-level`) sentries
 * connecting and disconnecting, rejected links, and every query of its query port; reads its keys file again on
 * SIGHUP; and runs until interrupted.
 */
export async function runNode(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query node')
    .description('Runs a connector that sentries connect to.')
    .requiredOption('--listen <port>', 'port to listen on (0: any free port)')
    .requiredOption('--keys <file>', 'JSON file of guid → key')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--tls-cert <file>', 'PEM certificate: serve wss:// on every port (sentries, queries)')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--query-port <port>', 'also take queries on this port (sentry-query --host), with --admin-token-file')
    .option('--admin-token-file <file>', 'file holding the administrator token that query clients must present')
    .option('--name <name>', "this data node's name in a cluster (with --nats)")
    .option('--log-level <level>', `least severe log events kept on stderr: ${LOG_LEVELS.join(', ')}`, 'info');
  NATS_HELP.addTo(program);
  program.addHelpText(
    'after',
    '\nExamples:\n  sentry-query node --listen 8443 --host 0.0.0.0 --keys keys.json --tls-cert cert.pem --tls-key key.pem \\\n' +
      '    --query-port 8444 --admin-token-file admin.token\n' +
      '  sentry-query node --listen 8443 --host 0.0.0.0 --keys keys.json --tls-cert cert.pem --tls-key key.pem \\\n' +
      '    --name dn1 --nats tls://nats1:4222,tls://nats2:4222 --creds dn1.nk --nats-ca ca.pem\n',
  );
  const parsed = await parseCommandLine<[NodeArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  const port = Number(args.listen);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr.write(`error: --listen must be a port 0..65535, not ${args.listen}\n`);
    return EXIT.failure;
  }
  if ((args.queryPort === undefined) !== (args.adminTokenFile === undefined)) {
    io.stderr.write('error: --query-port and --admin-token-file go together\n');
    return EXIT.failure;
  }
  if ((args.nats === undefined) !== (args.name === undefined)) {
    io.stderr.write('error: --nats and --name go together (a data node of a cluster has a name)\n');
    return EXIT.failure;
  }
  let logLevel: ReturnType<typeof parseLogLevel>;
  try {
    if (args.name !== undefined) checkNodeName(args.name);
    logLevel = parseLogLevel(args.logLevel);
  } catch (error) {
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  // One JSON line per event (untrusted text escaped); the query and cluster ports say which they are.
  const logger = jsonLinesLogger({
    write: (line) => void io.stderr.write(line),
    level: logLevel,
    ...(args.name !== undefined && { fields: { node: args.name } }),
  });
  const logLine = (port?: 'query' | 'nats') => eventsTo(port ? logger.child({ port }) : logger);
  let connector: WebSocketConnector | undefined;
  let cluster: Awaited<ReturnType<typeof startNatsRole>> | undefined;
  let queries: QueryServer | undefined;
  let tls: Awaited<ReturnType<typeof readServerTls>>;
  try {
    tls = await readServerTls(args.tlsCert, args.tlsKey);
    const keys = await loadKeysFile(args.keys);
    // Sentries coming and going are told to the data node once it is on NATS (none can connect before: the
    // connector is not listening until it returns).
    let dataNode: NatsDataNode | undefined;
    connector = await WebSocketConnector.listen({
      keys,
      host: args.host,
      port,
      ...(tls && { tls }),
      log: logLine(),
      onSentryChange: (info) => dataNode?.sentryChanged(info),
    });
    if (args.nats !== undefined && args.name !== undefined) {
      const held = connector;
      cluster = await startNatsRole(args, `data node ${args.name}`, logLine('nats'), async (nc) => {
        const { NatsDataNode } = await import('../nats/data-node.js');
        dataNode = new NatsDataNode({ nc, name: args.name!, connector: held });
        return dataNode;
      });
    }
    if (args.queryPort !== undefined && args.adminTokenFile !== undefined) {
      const adminToken = await readTokenFile(args.adminTokenFile);
      // The node's own host: queries run here, as the administrator, over the sentries connected to it.
      const host = new Host({ connector, users: { admin: { admin: true } }, commands: PLUGIN_COMMANDS });
      queries = await QueryServer.listen({
        start: (query, options) => host.start(query, options),
        adminToken,
        host: args.host,
        port: Number(args.queryPort),
        ...(tls && { tls }),
        log: logLine('query'),
        audit: logLine('query'),
      });
    }
  } catch (error) {
    await cluster?.close();
    await queries?.close();
    await connector?.close();
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  const { address, port: bound } = connector.address();
  const scheme = tls ? 'wss' : 'ws';
  const warning = plainServingWarning(args.host, tls);
  if (warning) io.stderr.write(warning);
  io.stdout.write(`listening on ${scheme}://${hostPort(address, bound)}\n`);
  if (queries) io.stdout.write(`queries on ${scheme}://${hostPort(queries.address().address, queries.address().port)}\n`);
  if (cluster) io.stdout.write(`data node ${args.name} on NATS ${cluster.server}\n`);
  // SIGHUP: read the keys file again (src/cli/keys-reload.ts); the listener also keeps SIGHUP from ending the node.
  const reload = keysReloader(connector, args.keys, logLine());
  const onHangup = (): void => void reload();
  process.on('SIGHUP', onHangup);
  if (io.signal && !io.signal.aborted) await new Promise((resolve) => io.signal!.addEventListener('abort', resolve, { once: true }));
  process.off('SIGHUP', onHangup);
  await cluster?.close();
  await queries?.close();
  await connector.close();
  return EXIT.ok;
}
