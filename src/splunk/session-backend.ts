import type { Cluster } from '../runtime/cluster.js';
import { SentryRpcError, type SentryConnector } from '../runtime/sentry-connector.js';
import type { HostConfig, Session } from '../runtime/session.js';
import type { SearchInfo } from './chunked-protocol.js';

/** The sentries a Splunk search reaches, once connected; closed when the search ends. */
export interface SentryAccess {
  /** What `sentrynetstat` calls. */
  readonly sentries: SentryConnector;
  /** What `sonarsentrynetstat` routes through; without it, sonar fails with `not a cluster`. */
  readonly cluster?: Cluster;
  /** Lets go of the connection (e.g. NATS). */
  close(): Promise<void> | void;
}

/**
 * What a Splunk command session runs against: the offline scenario (`sentry-query splunk --scenario`), or the
 * app's settings, splunkd and the NATS cluster (src/splunk/app-backend.ts).
 */
export interface SessionBackend {
  /** The host configuration the commands read (`logpresso.core.sentry_rpc_parallel`). */
  readonly config: HostConfig;
  /**
   * Who runs the search, from `getinfo`'s `searchinfo`: `isAdmin` is whether they may call sentries (the
   * capability `run_sentry_rpc` in Splunk). Rejects with a message for the operator when it cannot be told.
   */
  caller(searchInfo: SearchInfo, signal: AbortSignal): Promise<Session>;
  /**
   * Connects to the sentries; called once, at the first `execute` (a `getinfo`-only probe connects nothing).
   * Rejects with a message for the operator when they cannot be reached.
   */
  connect(signal: AbortSignal): Promise<SentryAccess>;
}

/**
 * The sentries of a search whose backend could not connect: every call fails with `the cluster is unreachable:
 * REASON` (so each record says it in `_error`), and none is listed.
 */
export function unreachableAccess(reason: string): SentryAccess {
  const failure = (): Promise<never> => Promise.reject(new SentryRpcError('cluster-unreachable', `the cluster is unreachable: ${reason}`));
  return {
    sentries: { call: failure, list: () => [] },
    // sonar routes every guid to a node first: route it to the failing call, so it says why rather than `not connected`.
    cluster: { nodes: () => [], sentries: () => [], locate: () => UNREACHABLE_NODE, call: failure },
    close: () => undefined,
  };
}

/** The node name sonar routes to when the cluster cannot be reached; never shown (every call through it fails). */
const UNREACHABLE_NODE = '(unreachable)';
