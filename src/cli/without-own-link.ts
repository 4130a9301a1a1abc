import type { WireConnection } from '../commands/netstat-vocabulary.js';
import type { SentryMethods } from '../runtime/sentry-methods.js';

/**
 * The main job's methods, answering `netstat` without the sockets of the CLI's own link: the connector's
 * loopback listener, its accepted socket and the local agent's socket to it all belong to this process and
 * exist only because the query runs. They are left out rather than marked, so the records keep the
 * reference page's fields; a real agent (`agent --connect`) still lists its link, which is the host's.
 */
export function withoutOwnLink(methods: SentryMethods, linkPort: number, pid: number = process.pid): SentryMethods {
  const netstat = methods['netstat'];
  if (netstat === undefined) return methods;
  const isOwnLink = (c: WireConnection): boolean =>
    c.pid === pid && c.protocol === 'tcp' && (c.local_port === linkPort || c.remote_port === linkPort);
  return Object.freeze({
    ...methods,
    netstat: async (params: Readonly<Record<string, unknown>>) =>
      ((await netstat(params)) as WireConnection[]).filter((c) => !isOwnLink(c)),
  });
}
