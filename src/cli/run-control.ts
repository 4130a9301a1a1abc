import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { RemoteCluster } from '../cluster/remote-cluster.js';
import { Host } from '../host/host.js';
import { NO_SENTRIES } from '../host/no-sentries.js';
import { PLUGIN_COMMANDS } from '../plugin.js';
import { QueryServer } from '../remote/query-server.js';
import { parseCommandLine } from './parse-command-line.js';
import { EXIT } from './exit-codes.js';
import { messageOf } from './message-of.js';
import type { CliIo } from './cli-io.js';

interface ControlArguments {
  readonly nodes: string;
  readonly clusterTokenFile: string;
  readonly queryPort: string;
  readonly adminTokenFile: string;
  readonly host: string;
  readonly refreshMs?: string;
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
    if (eq <= 0 || !/^wss?:\/\/\S+$/.test(url)) throw new Error(`--nodes: expected NAME=ws://HOST:PORT, not ${entry}`);
    if (Object.hasOwn(nodes, name)) throw new Error(`--nodes: node ${name} is given twice`);
    nodes[name] = url;
  }
  if (Object.keys(nodes).length === 0) throw new Error('--nodes: expected at least one data node');
  return nodes;
}

/**
 * `sentry-query control --nodes dn1=ws://HOST:PORT,... --cluster-token-file F --query-port P --admin-token-file A`
 * runs a cluster's control node: it joins every data node's cluster endpoint and takes queries (as the
 * administrator) over the whole cluster. Prints `queries on ws://HOST:PORT` once ready; runs until interrupted.
 */
export async function runControl(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name('sentry-query control')
    .description('Runs the control node of a cluster of data nodes.')
    .requiredOption('--nodes <list>', 'data nodes: NAME=ws://HOST:PORT,...')
    .requiredOption('--cluster-token-file <file>', 'file holding the token the data nodes expect')
    .requiredOption('--query-port <port>', 'port to take queries on (0: any free port)')
    .requiredOption('--admin-token-file <file>', 'file holding the administrator token that query clients must present')
    .option('--host <address>', 'address to take queries on', '127.0.0.1')
    .option('--refresh-ms <ms>', 'how often to refresh the sentry directory', '2000');
  const parsed = await parseCommandLine<[ControlArguments]>(program, argv, io);
  if (typeof parsed === 'number') return parsed;
  const [args] = parsed;
  let cluster: RemoteCluster | undefined;
  let queries: QueryServer;
  try {
    const nodes = parseNodeList(args.nodes);
    const port = Number(args.queryPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--query-port must be a port 0..65535, not ${args.queryPort}`);
    const refreshMs = Number(args.refreshMs ?? '2000');
    if (!Number.isInteger(refreshMs) || refreshMs < 10) throw new Error(`--refresh-ms must be an integer >= 10, not ${args.refreshMs}`);
    const token = (await readFile(args.clusterTokenFile, 'utf8')).trim();
    if (token.length < 16) throw new Error(`${args.clusterTokenFile}: expected a token of at least 16 characters`);
    const adminToken = (await readFile(args.adminTokenFile, 'utf8')).trim();
    if (adminToken.length < 16) throw new Error(`${args.adminTokenFile}: expected a token of at least 16 characters`);
    cluster = new RemoteCluster({ nodes, token, refreshMs });
    const host = new Host({ connector: NO_SENTRIES, cluster, users: { admin: { admin: true } }, commands: PLUGIN_COMMANDS });
    queries = await QueryServer.listen({
      start: (query, options) => host.start(query, options),
      adminToken,
      host: args.host,
      port,
      // Refused and failed query requests, one JSON line each (summarised per source).
      log: (event) => void io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), port: 'query', ...event })}\n`),
    });
  } catch (error) {
    await cluster?.close();
    io.stderr.write(`error: ${messageOf(error)}\n`);
    return EXIT.failure;
  }
  io.stdout.write(`queries on ws://${hostPort(queries.address().address, queries.address().port)}\n`);
  if (io.signal && !io.signal.aborted) await new Promise((resolve) => io.signal!.addEventListener('abort', resolve, { once: true }));
  await queries.close();
  await cluster.close();
  return EXIT.ok;
}
