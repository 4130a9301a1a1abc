import type { CommandParser, FieldHelp } from '../runtime/command.js';
import { SentryRpcError } from '../runtime/sentry-connector.js';
import type { Row } from '../runtime/value.js';
import { netstatRows } from './netstat-answer.js';
import { DETAIL_OPTION_HELP, NETSTAT_FLAGS, NETSTAT_METHOD, NETSTAT_OUTPUT_FIELDS, netstatParams } from './sentry-netstat.js';
import { GUID_INPUT_FIELD, runtimeErrorHelp, SENTRY_RPC_RUNTIME_ERRORS, sentryRpcHelp } from './sentry-rpc-help.js';
import { RUNTIME_ERRORS, type RuntimeError } from '../errors/runtime-errors.js';
import { SentryRpcCommand, type SentryRpcCall } from './sentry-rpc-command.js';
import { parseSentryRpcOptions, SENTRY_RPC_PARSE_ERRORS_WITH_FLAGS } from './sentry-rpc-options.js';

/** What a standalone host (no cluster) answers for every record. */
export const NOT_A_CLUSTER = RUNTIME_ERRORS.NOT_A_CLUSTER.message();

const NODE_FIELD: FieldHelp = {
  name: 'node',
  type: 'string',
  description: 'Name of the data node the sentry is connected to (`direct` for a sentry connected to NATS itself).',
};

/** sentry-netstat's fields with `node` after `guid`. */
const OUTPUT_FIELDS: readonly FieldHelp[] = [NETSTAT_OUTPUT_FIELDS[0]!, NODE_FIELD, ...NETSTAT_OUTPUT_FIELDS.slice(1)];

const help = sentryRpcHelp({
  description: 'Retrieves the network connection list from remote sentries across every data node of a cluster.',
  syntax: 'sonar-sentry-netstat [timeout=INT] [detail=BOOL]',
  options: [DETAIL_OPTION_HELP],
  distributedExecution: true,
  inputFields: [
    GUID_INPUT_FIELD,
    {
      name: 'node',
      type: 'string',
      required: false,
      description: 'Data node to ask; when absent, the cluster directory says which node holds the sentry.',
    },
  ],
  outputFields: OUTPUT_FIELDS,
  // sentry-netstat's, and the cluster's own.
  runtimeErrors: [
    ...SENTRY_RPC_RUNTIME_ERRORS,
    ...[RUNTIME_ERRORS.NODE_UNREACHABLE, RUNTIME_ERRORS.UNKNOWN_NODE, RUNTIME_ERRORS.CLUSTER_UNREACHABLE, RUNTIME_ERRORS.NOT_A_CLUSTER].map(
      (e) => runtimeErrorHelp(e as RuntimeError<never[]>),
    ),
  ],
});

/** The answer together with the node that gave it, so rows can say where they came from. */
interface RoutedAnswer {
  readonly node: string;
  readonly answer: unknown;
}

/**
 * Routes each guid to its data node: the input's `node` field when it has one, else the cluster directory.
 * With `detail`, the call's params are `{ detail: true }` (the data node forwards them as they are).
 */
function sonarCall(detail: boolean): SentryRpcCall<RoutedAnswer> {
  const params = netstatParams(detail);
  return {
    call: async (ctx, guid, input, options) => {
      if (!ctx.cluster) throw new Error(NOT_A_CLUSTER);
      const given = input['node'];
      const node = typeof given === 'string' && given !== '' ? given : ctx.cluster.locate(guid);
      if (node === undefined) throw SentryRpcError.notConnected();
      return { node, answer: await ctx.cluster.call(node, guid, NETSTAT_METHOD, params, options) };
    },
    toRows: (guid, { node, answer }) => {
      // `guid` then `node` first; the spread keeps that order and fills in the rest.
      return netstatRows(guid, answer, { detail }).map((row): Row => ({ guid, node, ...row }));
    },
  };
}
const SONAR_CALLS = { plain: sonarCall(false), detail: sonarCall(true) };

/**
 * `sonar-sentry-netstat [timeout=INT] [detail=BOOL]`: sentry-netstat across a cluster. Same permission, options, input and
 * runtime errors, and the same bounded pool and arrival order (it is the same {@link SentryRpcCommand}); the
 * output adds `node`. A data node that is down or slow only affects its own sentries' records.
 *
 * @example
 * ```ts
 * await host.query('sentry | fields guid, node | sonar-sentry-netstat timeout=60');
 * ```
 */
export const sonarSentryNetstatCommand: CommandParser = Object.freeze<CommandParser>({
  name: 'sonar-sentry-netstat',
  help,
  errors: SENTRY_RPC_PARSE_ERRORS_WITH_FLAGS,
  parse: (ctx, argText) => {
    const settings = parseSentryRpcOptions(ctx, argText, NETSTAT_FLAGS);
    return new SentryRpcCommand(settings, settings.flags['detail'] === true ? SONAR_CALLS.detail : SONAR_CALLS.plain);
  },
});
