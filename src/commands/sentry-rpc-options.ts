import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import type { OptionHelp, ParseContext } from '../runtime/command.js';
import { readBooleanText, readOptions } from '../runtime/option-list.js';
import { resolveSentryRpcParallel } from '../runtime/sentry-rpc-parallel.js';

/** RPC timeout in seconds: default and inclusive range, from the reference page. */
export const SENTRY_RPC_TIMEOUT = Object.freeze({
  /** Timeout used when the option is omitted. */
  default: 30,
  /** Smallest accepted timeout. */
  min: 1,
  /** Largest accepted timeout. */
  max: 600,
});

/** The `timeout` option as the help pages show it. */
export const TIMEOUT_OPTION_HELP: OptionHelp = Object.freeze({
  name: 'timeout',
  type: 'int',
  description: `RPC timeout in seconds. Accepts a value between ${SENTRY_RPC_TIMEOUT.min} and ${SENTRY_RPC_TIMEOUT.max}.`,
  required: false,
  default: SENTRY_RPC_TIMEOUT.default,
  min: SENTRY_RPC_TIMEOUT.min,
  max: SENTRY_RPC_TIMEOUT.max,
});

/** The parse errors of the sentry RPC commands, in the order they are checked. */
export const SENTRY_RPC_PARSE_ERRORS = [
  ERRORS.NO_SENTRY_RPC_PERMISSION,
  ERRORS.OPTION_SYNTAX,
  ERRORS.UNKNOWN_OPTION,
  ERRORS.DUPLICATE_OPTION,
  ERRORS.INVALID_SENTRY_RPC_TIMEOUT,
  ERRORS.INVALID_SENTRY_RPC_PARALLEL,
] as const;

/**
 * The parse errors of a sentry RPC command with boolean options of its own (sentry-netstat's `detail`): the
 * shared ones and 23106, in the order they are checked.
 */
export const SENTRY_RPC_PARSE_ERRORS_WITH_FLAGS = [
  ...SENTRY_RPC_PARSE_ERRORS.slice(0, 5),
  ERRORS.INVALID_BOOLEAN_OPTION,
  ERRORS.INVALID_SENTRY_RPC_PARALLEL,
] as const;

/** What a sentry RPC command runs with. */
export interface SentryRpcSettings {
  /** Per-call timeout. */
  readonly timeoutMs: number;
  /** RPCs in flight at most. */
  readonly parallel: number;
  /**
   * The command's own boolean options (e.g. `detail`), by name: `true` only when given as `t` or `true`
   * (absent, `f` and `false` are `false`). Empty for a command without any.
   */
  readonly flags: Readonly<Record<string, boolean>>;
}

/**
 * Parses `[timeout=INT]` for the sentry RPC commands (sentry-netstat and its cluster variant), and the boolean
 * options `flags` names (`[detail=BOOL]` for the netstat commands: `t`, `f`, `true`, `false`, any case).
 * Order: permission first (23100 whatever the options), then option syntax, names and repeats
 * (23105, 23102, 23103), then the timeout value (23101), then the boolean values in the order of `flags`
 * (23106), then the host's parallel setting (23104).
 */
export function parseSentryRpcOptions(ctx: ParseContext, argText: string, flags: readonly string[] = []): SentryRpcSettings {
  if (!ctx.session.isAdmin) throw new QueryParseError(ERRORS.NO_SENTRY_RPC_PERMISSION, 0);
  const options = readOptions(argText, ['timeout', ...flags]);
  const timeout = options.get('timeout');
  const seconds = timeout === undefined ? SENTRY_RPC_TIMEOUT.default : readTimeout(timeout.value, timeout.valueOffset);
  const values: Record<string, boolean> = {};
  for (const name of flags) {
    const option = options.get(name);
    values[name] = option === undefined ? false : readFlag(name, option.value, option.valueOffset);
  }
  const parallel = resolveSentryRpcParallel(ctx.config, ctx.env ?? process.env);
  return { timeoutMs: seconds * 1000, parallel, flags: Object.freeze(values) };
}

function readFlag(name: string, text: string, offset: number): boolean {
  const value = readBooleanText(text);
  if (value === undefined) throw new QueryParseError(ERRORS.INVALID_BOOLEAN_OPTION, offset, name, text);
  return value;
}

function readTimeout(text: string, offset: number): number {
  // Digits only: no sign, no exponent, no fraction, no unit ("30s"), no empty value.
  const seconds = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= SENTRY_RPC_TIMEOUT.min && seconds <= SENTRY_RPC_TIMEOUT.max)) {
    throw new QueryParseError(ERRORS.INVALID_SENTRY_RPC_TIMEOUT, offset, text);
  }
  return seconds;
}
