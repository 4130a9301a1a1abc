import type { CommandParser, FieldHelp, OptionHelp } from '../runtime/command.js';
import { netstatRows } from './netstat-answer.js';
import { SentryRpcCommand, type SentryRpcCall } from './sentry-rpc-command.js';
import { ERROR_OUTPUT_FIELD, sentryRpcHelp } from './sentry-rpc-help.js';
import { parseSentryRpcOptions, SENTRY_RPC_PARSE_ERRORS_WITH_FLAGS } from './sentry-rpc-options.js';

/** The sentry RPC method that returns a host's connections. */
export const NETSTAT_METHOD = 'netstat';

/**
 * The `netstat` call's params: `{}` as the reference's sentries take it, `{ detail: true }` for the detail
 * fields. An agent that does not know `detail` ignores it and answers without them (their columns are null).
 */
export function netstatParams(detail: boolean): Readonly<Record<string, unknown>> {
  return detail ? DETAIL_PARAMS : NO_PARAMS;
}
const NO_PARAMS = Object.freeze({});
const DETAIL_PARAMS = Object.freeze({ detail: true });

/** The `detail` option (ours, not the reference page's): adds the detail fields. */
export const DETAIL_OPTION_HELP: OptionHelp = Object.freeze({
  name: 'detail',
  type: 'bool',
  description: 'Adds process, owners, uid, inode, netns and container after the other fields. Accepts t, f, true or false (any case).',
  required: false,
  default: 'f',
});

/**
 * The detail fields (`detail=t`), in the order they follow `state`. Each is null when the sentry cannot tell
 * (or is an older agent that does not know `detail`).
 */
export const NETSTAT_DETAIL_OUTPUT_FIELDS: readonly FieldHelp[] = Object.freeze(
  [
    { name: 'process', type: 'string', description: 'With detail=t: process name of the lowest owner (as ss shows it).' },
    { name: 'owners', type: 'list', description: 'With detail=t: every pid holding the socket, ascending (pid is the lowest).' },
    { name: 'uid', type: 'long', description: 'With detail=t: user ID owning the socket (known even when pid is not).' },
    { name: 'inode', type: 'long', description: 'With detail=t: socket inode.' },
    { name: 'netns', type: 'long', description: "With detail=t: inode of the socket's network namespace." },
    { name: 'container', type: 'string', description: "With detail=t: container ID when the owner's cgroup names one." },
  ].map((f): FieldHelp => Object.freeze({ ...f, type: f.type as FieldHelp['type'], onlyWith: 'detail' })),
);

/** The reference page's output fields, in order, with their types (without `_error`). */
const REFERENCE_OUTPUT_FIELDS: readonly FieldHelp[] = [
  { name: 'guid', type: 'string', description: 'Sentry unique identifier.' },
  { name: 'pid', type: 'int', description: 'Process ID.' },
  { name: 'protocol', type: 'string', description: 'Protocol (tcp, tcp6, udp, udp6).' },
  { name: 'local_ip', type: 'ipaddr', description: 'Local IP address.' },
  { name: 'local_port', type: 'int', description: 'Local port number.' },
  { name: 'remote_ip', type: 'ipaddr', description: 'Remote IP address.' },
  { name: 'remote_port', type: 'int', description: 'Remote port number.' },
  { name: 'state', type: 'string', description: 'Connection state (e.g., LISTEN, ESTABLISHED, TIME_WAIT).' },
];

/**
 * The output fields, in order, with their types: the reference page's table, then the detail fields (only
 * with `detail=t`, marked `onlyWith: 'detail'`), then `_error`.
 */
export const NETSTAT_OUTPUT_FIELDS: readonly FieldHelp[] = Object.freeze([
  ...REFERENCE_OUTPUT_FIELDS,
  ...NETSTAT_DETAIL_OUTPUT_FIELDS,
  ERROR_OUTPUT_FIELD,
]);

/** The options sentry-netstat and sonar-sentry-netstat have besides `timeout`. */
export const NETSTAT_FLAGS = ['detail'] as const;

const help = sentryRpcHelp({
  description: 'Retrieves the network connection list from a remote sentry.',
  syntax: 'sentry-netstat [timeout=INT] [detail=BOOL]',
  outputFields: NETSTAT_OUTPUT_FIELDS,
  options: [DETAIL_OPTION_HELP],
});

/** Calls the sentry directly through the host's connector. */
function netstatCall(detail: boolean): SentryRpcCall {
  const params = netstatParams(detail);
  return {
    call: (ctx, guid, _input, options) => ctx.sentries.call(guid, NETSTAT_METHOD, params, options),
    toRows: (guid, answer) => netstatRows(guid, answer, { detail }),
  };
}
const NETSTAT_CALLS = { plain: netstatCall(false), detail: netstatCall(true) };

/**
 * `sentry-netstat [timeout=INT] [detail=BOOL]`: for each input record, asks the sentry named by its `guid` for
 * its network connections and emits one record per connection (or the input record with `_error`). With
 * `detail=t` each record also has process, owners, uid, inode, netns and container.
 *
 * @example
 * ```ts
 * host.register(sentryNetstatCommand);
 * await host.query('sentry | fields guid | sentry-netstat timeout=60 detail=t');
 * ```
 */
export const sentryNetstatCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'sentry-netstat',
  help,
  errors: SENTRY_RPC_PARSE_ERRORS_WITH_FLAGS,
  parse: (ctx, argText) => {
    const settings = parseSentryRpcOptions(ctx, argText, NETSTAT_FLAGS);
    return new SentryRpcCommand(settings, settings.flags['detail'] === true ? NETSTAT_CALLS.detail : NETSTAT_CALLS.plain);
  },
});
