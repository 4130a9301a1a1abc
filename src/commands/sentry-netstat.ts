import type { CommandParser, FieldHelp } from '../runtime/command.js';
import { netstatRows } from './netstat-answer.js';
import { SentryRpcCommand, type SentryRpcCall } from './sentry-rpc-command.js';
import { ERROR_OUTPUT_FIELD, sentryRpcHelp } from './sentry-rpc-help.js';
import { parseSentryRpcOptions, SENTRY_RPC_PARSE_ERRORS } from './sentry-rpc-options.js';

/** The sentry RPC method that returns a host's connections. */
export const NETSTAT_METHOD = 'netstat';

/** The output fields, in order, with their types (the reference page's table). */
export const NETSTAT_OUTPUT_FIELDS: readonly FieldHelp[] = Object.freeze([
  { name: 'guid', type: 'string', description: 'Sentry unique identifier.' },
  { name: 'pid', type: 'int', description: 'Process ID.' },
  { name: 'protocol', type: 'string', description: 'Protocol (tcp, tcp6, udp, udp6).' },
  { name: 'local_ip', type: 'ipaddr', description: 'Local IP address.' },
  { name: 'local_port', type: 'int', description: 'Local port number.' },
  { name: 'remote_ip', type: 'ipaddr', description: 'Remote IP address.' },
  { name: 'remote_port', type: 'int', description: 'Remote port number.' },
  { name: 'state', type: 'string', description: 'Connection state (e.g., LISTEN, ESTABLISHED, TIME_WAIT).' },
  ERROR_OUTPUT_FIELD,
]);

const help = sentryRpcHelp({
  description: 'Retrieves the network connection list from a remote sentry.',
  syntax: 'sentry-netstat [timeout=INT]',
  outputFields: NETSTAT_OUTPUT_FIELDS,
});

/** Calls the sentry directly through the host's connector. */
const netstatCall: SentryRpcCall = {
  call: (ctx, guid, _input, options) => ctx.sentries.call(guid, NETSTAT_METHOD, {}, options),
  toRows: (guid, answer) => netstatRows(guid, answer),
};

/**
 * `sentry-netstat [timeout=INT]`: for each input record, asks the sentry named by its `guid` for its
 * network connections and emits one record per connection (or the input record with `_error`).
 *
 * @example
 * ```ts
 * host.register(sentryNetstatCommand);
 * await host.query('sentry | fields guid | sentry-netstat timeout=60');
 * ```
 */
export const sentryNetstatCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'sentry-netstat',
  help,
  errors: SENTRY_RPC_PARSE_ERRORS,
  parse: (ctx, argText) => new SentryRpcCommand(parseSentryRpcOptions(ctx, argText), netstatCall),
});
