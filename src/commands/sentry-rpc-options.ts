import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import type { OptionHelp, ParseContext } from '../runtime/command.js';
import { readOptions } from '../runtime/option-list.js';
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

/** What a sentry RPC command runs with. */
export interface SentryRpcSettings {
  /** Per-call timeout. */
  readonly timeoutMs: number;
  /** RPCs in flight at most. */
  readonly parallel: number;
}

/**
 * Parses `[timeout=INT]` for the sentry RPC commands (sentry-netstat and its cluster variant).
 * Order: permission first (23100 whatever the options), then option syntax, names and repeats
 * (23105, 23102, 23103), then the timeout value (23101), then the host's parallel setting (23104).
 */
export function parseSentryRpcOptions(ctx: ParseContext, argText: string): SentryRpcSettings {
  if (!ctx.session.isAdmin) throw new QueryParseError(ERRORS.NO_SENTRY_RPC_PERMISSION, 0);
  const options = readOptions(argText, ['timeout']);
  const timeout = options.get('timeout');
  const seconds = timeout === undefined ? SENTRY_RPC_TIMEOUT.default : readTimeout(timeout.value, timeout.valueOffset);
  const parallel = resolveSentryRpcParallel(ctx.config, ctx.env ?? process.env);
  return { timeoutMs: seconds * 1000, parallel };
}

function readTimeout(text: string, offset: number): number {
  // Digits only: no sign, no exponent, no fraction, no unit ("30s"), no empty value.
  const seconds = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= SENTRY_RPC_TIMEOUT.min && seconds <= SENTRY_RPC_TIMEOUT.max)) {
    throw new QueryParseError(ERRORS.INVALID_SENTRY_RPC_TIMEOUT, offset, text);
  }
  return seconds;
}
