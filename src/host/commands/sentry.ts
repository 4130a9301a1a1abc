import { ERRORS } from '../../errors/codes.js';
import { QueryParseError } from '../../errors/query-parse-error.js';
import type { CommandContext, CommandHelp, CommandParser, QueryDriver } from '../../runtime/command.js';
import { IpAddress } from '../../runtime/ip-address.js';
import type { SentryInfo } from '../../runtime/sentry-connector.js';
import type { Row } from '../../runtime/value.js';
import { SENTRY_LABEL_MAX_CHARS } from '../../runtime/input-limits.js';
import { boundText } from '../../runtime/untrusted-text.js';
import { builtinProperties } from './builtin-properties.js';

const help: CommandHelp = {
  description: 'Lists the sentries the host knows of, connected or not, one record each.',
  syntax: 'sentry',
  properties: builtinProperties('driver', { perRecord: false }),
  options: [],
  inputFields: [],
  outputFields: [
    { name: 'guid', type: 'string', description: 'Sentry unique identifier.' },
    { name: 'connected', type: 'bool', description: 'Whether the sentry holds a link to the host.' },
    { name: 'node', type: 'string', description: 'In a cluster: the data node the sentry belongs to.' },
    { name: 'hostname', type: 'string', description: 'Host name of the sentry, when known.' },
    { name: 'os', type: 'string', description: 'Operating system of the sentry, when known.' },
    { name: 'remote_ip', type: 'ipaddr', description: 'Address the sentry connects from, when known (a string if it is not an address).' },
    { name: 'connected_at', type: 'timestamp', description: 'When the sentry connected (its current or last link), when known.' },
    {
      name: 'last_seen',
      type: 'timestamp',
      description: 'When the sentry was last there: now if connected, else when its last link went down; absent if it never connected.',
    },
  ],
  runtimeErrors: [],
};

/**
 * One output record; fields the host does not know are left out rather than set to null. What the sentry
 * reported of itself (`hostname`, `os`), and an address that is not one, is untrusted text: control characters
 * escaped, at most `SENTRY_LABEL_MAX_CHARS` characters.
 */
function sentryRow(info: SentryInfo & { node?: string }): Row {
  const row: Row = { guid: info.guid, connected: info.connected };
  if (info.node !== undefined) row['node'] = info.node;
  if (info.hostname !== undefined) row['hostname'] = boundText(info.hostname, SENTRY_LABEL_MAX_CHARS);
  if (info.os !== undefined) row['os'] = boundText(info.os, SENTRY_LABEL_MAX_CHARS);
  if (info.remote_ip !== undefined)
    row['remote_ip'] = IpAddress.tryParse(info.remote_ip) ?? boundText(info.remote_ip, SENTRY_LABEL_MAX_CHARS);
  if (info.connected_at !== undefined) row['connected_at'] = info.connected_at;
  if (info.last_seen !== undefined) row['last_seen'] = info.last_seen;
  return row;
}

class SentryDriver implements QueryDriver {
  #ctx: CommandContext | undefined;

  onStart(ctx: CommandContext): void {
    this.#ctx = ctx;
  }

  async run(): Promise<void> {
    const ctx = this.#ctx;
    if (!ctx) throw new Error('sentry: run() before onStart()');
    // On the control node of a cluster: every sentry of every data node, with its node.
    for (const info of ctx.cluster?.sentries() ?? ctx.sentries.list()) {
      if (ctx.signal.aborted) return;
      await ctx.emit(sentryRow(info));
    }
  }

  onClose(): void {}
}

/**
 * `sentry`: a driver that emits one record per sentry of the host (`guid`, `connected`, and `hostname`, `os`,
 * `remote_ip`, `connected_at`, `last_seen` where known), in the connector's order.
 *
 * @example
 * ```ts
 * await host.query('sentry | search connected == true | fields guid');
 * ```
 */
export const sentryCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'sentry',
  help,
  errors: [ERRORS.INVALID_ARGUMENTS],
  parse: (_ctx, argText) => {
    const offset = argText.search(/\S/);
    if (offset >= 0) throw new QueryParseError(ERRORS.INVALID_ARGUMENTS, offset, 'sentry', 'sentry takes no arguments');
    return new SentryDriver();
  },
});
