/**
 * The host's sentry connector: how a command reaches a sentry.
 *
 * @module
 */

import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import { SENTRY_ERROR_MAX_CHARS } from './input-limits.js';
import { boundText } from './untrusted-text.js';

/**
 * A call failed. `message` is `not connected`, `timeout`, `disconnected`, or the sentry's own exception message;
 * `kind` tells which without string matching.
 */
export class SentryRpcError extends Error {
  /** Always `SentryRpcError`. */
  override readonly name = 'SentryRpcError';
  /**
   * Why the call failed: no link, no answer in time, link dropped, the data node holding the sentry cannot be
   * reached or does not exist, or this node lost NATS (clusters), or an exception on the sentry.
   */
  readonly kind: 'not-connected' | 'timeout' | 'disconnected' | 'node-unreachable' | 'unknown-node' | 'cluster-unreachable' | 'remote';

  constructor(kind: SentryRpcError['kind'], message?: string) {
    super(message ?? defaultMessage(kind));
    this.kind = kind;
  }

  /** The sentry is not connected.
   * @returns an error of kind `not-connected` */
  static notConnected(): SentryRpcError {
    return new SentryRpcError('not-connected');
  }
  /** No answer within the call's timeout.
   * @returns an error of kind `timeout` */
  static timeout(): SentryRpcError {
    return new SentryRpcError('timeout');
  }
  /** The link dropped while the call was in flight.
   * @returns an error of kind `disconnected` */
  static disconnected(): SentryRpcError {
    return new SentryRpcError('disconnected');
  }
  /** The data node `node` cannot be reached (down, or its link dropped); only in clusters.
   * @returns an error of kind `node-unreachable` */
  static nodeUnreachable(node: string): SentryRpcError {
    return new SentryRpcError('node-unreachable', RUNTIME_ERRORS.NODE_UNREACHABLE.message(node));
  }
  /** No data node is called `node` (a sonar input's `node` field named it); only in clusters.
   * @returns an error of kind `unknown-node` */
  static unknownNode(node: string): SentryRpcError {
    return new SentryRpcError('unknown-node', RUNTIME_ERRORS.UNKNOWN_NODE.message(node));
  }
  /** The node running the query has lost NATS (every server) for longer than its grace; only in clusters.
   * @returns an error of kind `cluster-unreachable` */
  static clusterUnreachable(): SentryRpcError {
    return new SentryRpcError('cluster-unreachable');
  }
  /**
   * The sentry raised an exception; its message is passed through (`sentry RPC failed` when empty), with its
   * control characters escaped and cut to `SENTRY_ERROR_MAX_CHARS` (1024) characters (`boundText`): it is a
   * hostile peer's text on its way to a terminal.
   */
  static remote(message: string): SentryRpcError {
    return new SentryRpcError('remote', RUNTIME_ERRORS.SENTRY_EXCEPTION.message(boundText(message, SENTRY_ERROR_MAX_CHARS)));
  }
}

function defaultMessage(kind: SentryRpcError['kind']): string {
  switch (kind) {
    case 'not-connected':
      return RUNTIME_ERRORS.NOT_CONNECTED.message();
    case 'timeout':
      return RUNTIME_ERRORS.TIMEOUT.message();
    case 'disconnected':
      return RUNTIME_ERRORS.DISCONNECTED.message();
    case 'node-unreachable':
      return RUNTIME_ERRORS.NODE_UNREACHABLE.message('?');
    case 'unknown-node':
      return RUNTIME_ERRORS.UNKNOWN_NODE.message('?');
    case 'cluster-unreachable':
      return RUNTIME_ERRORS.CLUSTER_UNREACHABLE.message();
    case 'remote':
      return RUNTIME_ERRORS.SENTRY_EXCEPTION.message('');
  }
}

/** Options of one call. */
export interface SentryCallOptions {
  /** The call rejects with `timeout` after this many milliseconds without an answer. */
  readonly timeoutMs: number;
  /**
   * Aborting rejects the call at once with the signal's reason (an `AbortError`) and releases its timer;
   * the host aborts in-flight calls when a query is cancelled.
   */
  readonly signal?: AbortSignal;
}

/** What the host knows of one sentry, as the `sentry` command lists it. */
export interface SentryInfo {
  /** The sentry's GUID. */
  readonly guid: string;
  /** Whether the sentry has a live link to the host now. */
  readonly connected: boolean;
  /** Host name the sentry reported, if known. */
  readonly hostname?: string;
  /** Operating system the sentry reported, if known. */
  readonly os?: string;
  /** IP address the sentry connected from, if known. */
  readonly remote_ip?: string;
  /** When the current link (or, for a sentry not connected, its last link) was established, if known. */
  readonly connected_at?: Date;
  /**
   * When the host last knew the sentry to be there: now for a connected sentry, else when its last link went
   * down; absent for a sentry that has not connected since the host started.
   */
  readonly last_seen?: Date;
}

/**
 * The host side that holds sentries. Commands call sentries only through this.
 *
 * @example
 * ```ts
 * const answer = await connector.call('web-01', 'netstat', {}, { timeoutMs: 30_000, signal });
 * ```
 */
export interface SentryConnector {
  /**
   * Sends an RPC to the sentry `guid`. Resolves with the sentry's result (unvalidated: check it), or rejects with
   * a {@link SentryRpcError} (`not connected`, `timeout`, `disconnected`, or the sentry's exception message),
   * or with the signal's reason when aborted. Never leaves a timer behind once settled.
   */
  call(guid: string, method: string, params: Readonly<Record<string, unknown>>, options: SentryCallOptions): Promise<unknown>;

  /** The sentries the host knows of, connected or not: for a node, every sentry that has a key. */
  list(): readonly SentryInfo[];
}
