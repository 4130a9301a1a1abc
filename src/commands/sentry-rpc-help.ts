/**
 * The help every sentry RPC command shares (properties, the `timeout` option, the `guid` input, the runtime
 * errors), so a new `sentry-*` command writes only what is its own: description, syntax and output fields.
 *
 * @module
 */
import { RUNTIME_ERRORS, type RuntimeError } from '../errors/runtime-errors.js';
import type { CommandHelp, FieldHelp, OptionHelp, RuntimeErrorHelp } from '../runtime/command.js';
import { TIMEOUT_OPTION_HELP } from './sentry-rpc-options.js';

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

/** The `guid` input field every sentry RPC command reads. */
export const GUID_INPUT_FIELD: FieldHelp = Object.freeze({
  name: 'guid',
  type: 'string',
  required: true,
  description: 'Sentry unique identifier.',
});

/** The `_error` output field, last in every sentry RPC command's output. */
export const ERROR_OUTPUT_FIELD: FieldHelp = Object.freeze({
  name: '_error',
  type: 'string',
  description: 'Error message added to the original record if an error occurs.',
});

/** What a sentry RPC command says of itself; the rest of its help is shared. */
export interface SentryRpcHelpParts {
  /** One sentence: what the command retrieves. */
  readonly description: string;
  /** e.g. `sentry-ps [timeout=INT]`. */
  readonly syntax: string;
  /** The output fields in order, ending with {@link ERROR_OUTPUT_FIELD}. */
  readonly outputFields: readonly FieldHelp[];
  /** Whether it runs across the data nodes of a cluster (`sonar-*`). @default false */
  readonly distributedExecution?: boolean;
  /** @default [GUID_INPUT_FIELD] */
  readonly inputFields?: readonly FieldHelp[];
  /** @default SENTRY_RPC_RUNTIME_ERRORS */
  readonly runtimeErrors?: readonly RuntimeErrorHelp[];
  /** The command's own options, after `timeout` (e.g. netstat's `detail`). @default [] */
  readonly options?: readonly OptionHelp[];
}

/**
 * The full help of a sentry RPC command: a transforming command for administrators, parallel, with the
 * `timeout` option.
 *
 * @example
 * ```ts
 * const help = sentryRpcHelp({
 *   description: 'Retrieves the process list from a remote sentry.',
 *   syntax: 'sentry-ps [timeout=INT]',
 *   outputFields: [GUID_FIELD, PID_FIELD, NAME_FIELD, ERROR_OUTPUT_FIELD],
 * });
 * ```
 */
export function sentryRpcHelp(parts: SentryRpcHelpParts): CommandHelp {
  return {
    description: parts.description,
    syntax: parts.syntax,
    properties: {
      commandType: 'transforming',
      requiredPermission: 'administrator',
      licenseUsage: 'N/A',
      parallelExecution: true,
      distributedExecution: parts.distributedExecution ?? false,
    },
    options: [TIMEOUT_OPTION_HELP, ...(parts.options ?? [])],
    inputFields: parts.inputFields ?? [GUID_INPUT_FIELD],
    outputFields: parts.outputFields,
    runtimeErrors: parts.runtimeErrors ?? SENTRY_RPC_RUNTIME_ERRORS,
  };
}
