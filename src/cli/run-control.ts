import { Command } from 'commander';
import { RemoteCluster } from '../cluster/remote-cluster.js';
import { requireSecureUrl } from '../rpc/transport-security.js';
import { Host } from '../host/host.js';
import { NO_SENTRIES } from '../host/no-sentries.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { QueryServer } from '../remote/query-server.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import { readTokenFile } from './token-file.js';
import type { CliIo } from './cli-io.js';
import { CA_HELP, INSECURE_HELP, plainServingWarning, readClientTls, readServerTls } from './tls-options.js';

interface ControlArguments {
  readonly nodes: string;
  readonly clusterTokenFile: string;
  readonly queryPort: string;
  readonly adminTokenFile: string;
  readonly host: string;
  readonly refreshMs?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly ca?: string;
  readonly insecure?: boolean;
}

function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Parses `dn1=ws://h:p,dn2=ws://h:p`; throws on a malformed entry or a repeated name. */
export function parseNodeList(text: string): Record<string, string> {
  const nodes: Record<string, string> = {};
  for (const entry of text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq);
    const url = entry.slice(eq + 1);
    if (eq <= 0 || !/^wss?:\/\/\S+$/.test(url)) throw new Error(`--nodes: expected NAME=wss://HOST:PORT, not ${entry}`);
    if (Object.hasOwn(nodes, name)) throw new Error(`--nodes: node ${name} is given twice`);
    nodes[name] = url;
  }
  if (Object.keys(nodes).length === 0) throw new Error('--nodes: expected at least one data node');
  return nodes;
}

/**
 * `sentry-query control --nodes dn1=wss://HOST:PORT,... --cluster-token-file F --query-port P --admin-token-file A
 * [--tls-cert FILE --tls-key FILE] [--ca FILE] [--insecure]` runs a cluster's control node: it joins every data
 * node's cluster endpoint and takes queries (as the administrator) over the whole cluster. Prints
 * `queries on ws[s]://HOST:PORT` once ready, logs each data node's link failing or joining on stderr (one JSON
 * object per line); runs until interrupted.
 */
export async function runControl(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query control')
    .description('Runs the control node of a cluster of data nodes.')
    .requiredOption('--nodes <list>', 'data nodes: NAME=wss://HOST:PORT,... (ws:// only to loopback, or with --insecure)')
    .requiredOption('--cluster-token-file <file>', 'file holding the token the data nodes expect')
    .requiredOption('--query-port <port>', 'port to take queries on (0: any free port)')
    .requiredOption('--admin-token-file <file>', 'file holding the administrator token that query clients must present')
    .option('--host <address>', 'address to take queries on', '127.0.0.1')
    .option('--refresh-ms <ms>', 'how often to refresh the sentry directory', '2000')
    .option('--tls-cert <file>', 'PEM certificate: serve wss:// on the query port')
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--ca <file>', `${CA_HELP} (for the links to the data nodes)`)
    .option('--insecure', INSECURE_HELP);
  const parsed = await parseCommandLine<[ControlArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  let cluster: RemoteCluster | undefined;
  let queries: QueryServer;
  let tls: Awaited<ReturnType<typeof readServerTls>>;
  try {
    const nodes = parseNodeList(args.nodes);
    // Before anything is read or opened: a plain link off this machine is refused unless --insecure.
    for (const url of Object.values(nodes)) requireSecureUrl(url, args.insecure === true);
    tls = await readServerTls(args.tlsCert, args.tlsKey);
    const wsOptions = await readClientTls(args.ca);
    const port = Number(args.queryPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--query-port must be a port 0..65535, not ${args.queryPort}`);
    const refreshMs = Number(args.refreshMs ?? '2000');
    if (!Number.isInteger(refreshMs) || refreshMs < 10) throw new Error(`--refresh-ms must be an integer >= 10, not ${args.refreshMs}`);
    const token = await readTokenFile(args.clusterTokenFile);
    const adminToken = await readTokenFile(args.adminTokenFile);
    cluster = new RemoteCluster({
      nodes,
      token,
      refreshMs,
      insecure: args.insecure === true,
      ...(wsOptions && { wsOptions }),
      log: (node, event, detail) => io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), node, event, detail })}\n`),
    });
    const host = new Host({ connector: NO_SENTRIES, cluster, users: { admin: { admin: true } }, commands: PLUGIN_COMMANDS });
    queries = await QueryServer.listen({
      start: (query, options) => host.start(query, options),
      adminToken,
      host: args.host,
      port,
      ...(tls && { tls }),
      // Refused and failed query requests, one JSON line each (summarised per source).
      log: (event) => void io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), port: 'query', ...event })}\n`),
    });
  } catch (error) {
    await cluster?.close();
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  const warning = plainServingWarning(args.host, tls);
  if (warning) io.stderr.write(warning);
  io.stdout.write(`queries on ${tls ? 'wss' : 'ws'}://${hostPort(queries.address().address, queries.address().port)}\n`);
  if (io.signal && !io.signal.aborted) await new Promise((resolve) => io.signal!.addEventListener('abort', resolve, { once: true }));
  await queries.close();
  await cluster.close();
  return EXIT.ok;
}
