import { platform } from 'node:os';
import type { WireConnection } from '../commands/netstat-vocabulary.js';
import { collectLinuxConnectionsInParallel } from './collect-linux.js';

/** This host's connections and the entries that could not be used (only outside Linux). */
export interface Collected {
  /** The connections, as the `netstat` RPC answers them. */
  readonly connections: WireConnection[];
  /** Why each entry systeminformation gave could not be used (always empty on Linux). */
  readonly rejected: readonly string[];
}

/**
 * This host's connections: /proc on Linux (fast, complete, with pids), systeminformation elsewhere
 * (macOS, Windows, BSD), normalised to the same records.
 */
export async function collectConnections(): Promise<Collected> {
  if (platform() === 'linux') return { connections: await collectLinuxConnectionsInParallel(), rejected: [] };
  // Loaded only here: normalize-si-connection brings ipaddr.js, which a one-shot `agent --once` on Linux skips.
  const [si, { normalizeSiConnection }] = await Promise.all([import('systeminformation'), import('./normalize-si-connection.js')]);
  const connections: WireConnection[] = [];
  const rejected: string[] = [];
  for (const entry of await si.networkConnections()) {
    const result = normalizeSiConnection(entry);
    if ('connection' in result) connections.push(result.connection);
    else rejected.push(result.rejected);
  }
  return { connections, rejected };
}
