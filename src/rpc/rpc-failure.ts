/**
 * How a failure crosses a link. A handler that throws a {@link SentryRpcError} answers with its kind in the
 * JSON-RPC error's `data` (`{"kind":"timeout"}`), so a data node's `timeout` is still a `timeout` on the
 * control node, without matching message strings.
 *
 * @module
 */
import { SentryRpcError } from '../runtime/sentry-connector.js';
import type { RpcErrorObject } from './rpc-frames.js';

/** The `data` of an error response that carries a failure kind. */
export interface FailureData {
  /** The {@link SentryRpcError} kind of the failure on the answering side. */
  readonly kind: SentryRpcError['kind'];
}

const KINDS: ReadonlySet<string> = new Set<SentryRpcError['kind']>([
  'not-connected',
  'timeout',
  'disconnected',
  'node-unreachable',
  'remote',
]);

/** The error data a handler's thrown error is answered with: its kind if it is a {@link SentryRpcError}. */
export function failureData(error: unknown): FailureData | undefined {
  return error instanceof SentryRpcError ? { kind: error.kind } : undefined;
}

/**
 * The caller's error for an error response. With `trustKinds` (the peer relays failures: a data node), a kind
 * in `data` is kept with the peer's message; otherwise (a sentry, which must not pass for a local timeout or
 * drop) every error is `remote` with the peer's message.
 */
export function failureFromResponse(error: RpcErrorObject, trustKinds: boolean): SentryRpcError {
  const kind = trustKinds ? kindOf(error.data) : undefined;
  if (kind === undefined || kind === 'remote') return SentryRpcError.remote(error.message);
  return new SentryRpcError(kind, error.message);
}

function kindOf(data: unknown): SentryRpcError['kind'] | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const kind = (data as { kind?: unknown }).kind;
  return typeof kind === 'string' && KINDS.has(kind) ? (kind as SentryRpcError['kind']) : undefined;
}
