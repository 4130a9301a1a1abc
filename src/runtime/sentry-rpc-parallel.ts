import { ERRORS } from '../errors/codes.js';
import { QueryParseError } from '../errors/query-parse-error.js';
import type { HostConfig } from './session.js';

/** The host config key (and environment variable of the same name) that bounds RPCs in flight per command. */
export const SENTRY_RPC_PARALLEL_KEY = 'logpresso.core.sentry_rpc_parallel';

/** RPCs in flight per command when nothing is configured. */
export const DEFAULT_SENTRY_RPC_PARALLEL = 100;

const MAX_SENTRY_RPC_PARALLEL = 1_000_000;

/**
 * How many sentry RPCs one command may have in flight: the host config key, else the process environment
 * variable of the same name, else {@link DEFAULT_SENTRY_RPC_PARALLEL}. A set but invalid value is an error
 * (23104), not a silent default: a typo in a limit should be seen.
 */
export function resolveSentryRpcParallel(config: HostConfig, env: Readonly<Record<string, string | undefined>>): number {
  const fromConfig = config.get(SENTRY_RPC_PARALLEL_KEY);
  if (fromConfig !== undefined) return validate(fromConfig, 'host config');
  const fromEnv = env[SENTRY_RPC_PARALLEL_KEY];
  if (fromEnv !== undefined) return validate(fromEnv, 'environment');
  return DEFAULT_SENTRY_RPC_PARALLEL;
}

function validate(value: string | number | boolean, source: string): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SENTRY_RPC_PARALLEL) {
    throw new QueryParseError(ERRORS.INVALID_SENTRY_RPC_PARALLEL, 0, String(value), source);
  }
  return n;
}
