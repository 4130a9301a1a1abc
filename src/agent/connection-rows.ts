import { netstatRow, type WireConnection } from '../commands/netstat-vocabulary.js';
import { IpAddress } from '../runtime/ip-address.js';
import type { Row } from '../runtime/value.js';

/**
 * The records `sentry-netstat` emits for connections this process collected itself (`agent --once`): the
 * same fields, order and values as `netstatRows`, without its zod check. The connections come from our own
 * collector in this process, not off the wire, and loading zod alone costs a one-shot process about 80 ms of
 * its start-up. A test holds the two equal, and the collector's output to `netstatRows`'s checks. With
 * `detail` (`agent --once --detail`) the records end with the detail fields, as `sentry-netstat detail=t`'s
 * do (the process name and container id escaped and bounded the same way).
 */
export function connectionRows(guid: string, connections: readonly WireConnection[], options: { readonly detail?: boolean } = {}): Row[] {
  const detail = options.detail === true;
  return connections.map((c) => netstatRow(guid, c, IpAddress.parse(c.local_ip), IpAddress.parse(c.remote_ip), detail ? c : undefined));
}
