import { platform } from 'node:os';
import type { WireConnection } from '../commands/netstat-vocabulary.js';
import { collectLinuxConnectionsInParallel } from './collect-linux.js';
import { normalizeSiConnection } from './normalize-si-connection.js';

/** This host's connections and the entries that could not be used (only outside Linux). */
export interface Collected {
  /** The connections, as the `netstat` RPC answers them. */
  readonly connections: WireConnection[];
  /** Why each entry systeminformation gave could not be used (always empty on Linux). */
  readonly rejected: readonly string[];
}

/** What to collect. */
export interface CollectOptions {
  /**
   * Add the detail fields to each connection (the `netstat` RPC's `{ detail: true }`, `agent --once
   * --detail`): process, owners, uid, inode, netns, container. On Linux the collector reads them from /proc;
   * elsewhere systeminformation gives a pid and sometimes a process name, so owners is `[pid]` (`[]` without
   * one), process that name or null, and the others null. @default false: the reference page's fields only.
   */
  readonly detail?: boolean;
}

/**
 * This host's connections: /proc on Linux (fast, complete, with pids), systeminformation elsewhere
 * (macOS, Windows, BSD), normalised to the same records.
 */
export async function collectConnections(options: CollectOptions = {}): Promise<Collected> {
  const detail = options.detail === true;
  if (platform() === 'linux') return { connections: await collectLinuxConnectionsInParallel({ detail }), rejected: [] };
  const si = await import('systeminformation');
  const connections: WireConnection[] = [];
  const rejected: string[] = [];
  for (const entry of await si.networkConnections()) {
    const result = normalizeSiConnection(entry, { detail });
    if ('connection' in result) connections.push(result.connection);
    else rejected.push(result.rejected);
  }
  return { connections, rejected };
}
