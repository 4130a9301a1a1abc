import type { CommandHelp, CommandParser, FieldHelp, RuntimeErrorHelp } from '../runtime/command.js';
import { RUNTIME_ERRORS, type RuntimeError } from '../errors/runtime-errors.js';
import { netstatRows } from './netstat-answer.js';
import { SentryRpcCommand, type SentryRpcCall } from './sentry-rpc-command.js';
import { parseSentryRpcOptions, SENTRY_RPC_PARSE_ERRORS, TIMEOUT_OPTION_HELP } from './sentry-rpc-options.js';

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
  { name: '_error', type: 'string', description: 'Error message added to the original record if an error occurs.' },
]);

/** A catalogue entry as a help row: its message pattern and its description. */
export function runtimeErrorHelp(error: RuntimeError<never[]>): RuntimeErrorHelp {
  return { message: error.pattern, description: error.description };
}

/** The runtime errors (`_error` values) of the sentry RPC commands, from the reference page. */
export const SENTRY_RPC_RUNTIME_ERRORS: readonly RuntimeErrorHelp[] = Object.freeze(
  [
    RUNTIME_ERRORS.GUID_NULL,
    RUNTIME_ERRORS.GUID_NOT_STRING,
    RUNTIME_ERRORS.GUID_EMPTY,
    RUNTIME_ERRORS.NOT_CONNECTED,
    RUNTIME_ERRORS.TIMEOUT,
    RUNTIME_ERRORS.DISCONNECTED,
  ].map((e) => runtimeErrorHelp(e as RuntimeError<never[]>)),
);

const help: CommandHelp = {
  description: 'Retrieves the network connection list from a remote sentry.',
  syntax: 'sentry-netstat [timeout=INT]',
  properties: {
    commandType: 'transforming',
    requiredPermission: 'administrator',
    licenseUsage: 'N/A',
    parallelExecution: true,
    distributedExecution: false,
  },
  options: [TIMEOUT_OPTION_HELP],
  inputFields: [{ name: 'guid', type: 'string', required: true, description: 'Sentry unique identifier.' }],
  outputFields: NETSTAT_OUTPUT_FIELDS,
  runtimeErrors: SENTRY_RPC_RUNTIME_ERRORS,
};

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
