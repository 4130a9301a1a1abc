import { readFileSync } from 'node:fs';
import { platform } from 'node:os';
import type { WireConnection } from '../commands/netstat-vocabulary.js';
import { collectLinuxConnections, collectLinuxConnectionsInParallel } from './collect-linux.js';

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
  /**
   * The collection is a one-shot process's only one (`agent --once`): on Linux it takes a second thread only
   * from {@link ONE_SHOT_PARALLEL_FROM} sockets (a connected agent, from collect-linux.ts's 5,000).
   * @default false
   */
  readonly oneShot?: boolean;
}

/**
 * From about this many sockets a worker thread pays in a process that has just started: there it starts
 * slower than in a running agent (its bootstrap competes with the main thread's cold code), and the main
 * thread sat idle waiting for it. Measured whole process (collection and jsonl output, 15 and 11 rounds alternating): at
 * 5,000 sockets one thread 180 ms, two 195 ms; at 15,000 one 311 ms, two 288 ms.
 */
export const ONE_SHOT_PARALLEL_FROM = 10_000;

/**
 * This host's connections: /proc on Linux (fast, complete, with pids), systeminformation elsewhere
 * (macOS, Windows, BSD), normalised to the same records.
 */
export async function collectConnections(options: CollectOptions = {}): Promise<Collected> {
  const detail = options.detail === true;
  if (platform() === 'linux') {
    const oneThread =
      options.oneShot === true && socketCount(readText('/proc/net/sockstat') + readText('/proc/net/sockstat6')) < ONE_SHOT_PARALLEL_FROM;
    return {
      connections: oneThread ? collectLinuxConnections({ detail }) : await collectLinuxConnectionsInParallel({ detail }),
      rejected: [],
    };
  }
  // Loaded only here: normalize-si-connection brings ipaddr.js, which a one-shot `agent --once` on Linux skips.
  const [si, { normalizeSiConnection }] = await Promise.all([import('systeminformation'), import('./normalize-si-connection.js')]);
  const connections: WireConnection[] = [];
  const rejected: string[] = [];
  for (const entry of await si.networkConnections()) {
    const result = normalizeSiConnection(entry, { detail });
    if ('connection' in result) connections.push(result.connection);
    else rejected.push(result.rejected);
  }
  return { connections, rejected };
}

/**
 * How many TCP and UDP sockets the text of /proc/net/sockstat and sockstat6 counts (in use, plus TCP's
 * TIME_WAIT), as collect-linux.ts counts them; 0 for text that says nothing.
 */
export function socketCount(sockstat: string): number {
  let count = 0;
  for (const [, inUse, timeWait] of sockstat.matchAll(/^(?:TCP|UDP)6?: inuse (\d+)(?: orphan \d+ tw (\d+))?/gm))
    count += Number(inUse) + Number(timeWait ?? 0);
  return count;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
