import type { Cluster } from '../runtime/cluster.js';
import type { SentryCallOptions, SentryConnector } from '../runtime/sentry-connector.js';

/**
 * Counts a query's sentry calls as they start and settle, for the CLI's progress line and summary. It counts at
 * the connector (and cluster) the CLI hands its host, so neither the commands nor the SDK contract know of it.
 * A call aborted because the query stopped counts as neither answered nor failed.
 */
export class CallTally {
  /** Calls started. */
  started = 0;
  /** Calls the sentry answered (a malformed answer too: its `_error` is in the output). */
  answered = 0;
  /** Calls that failed: timeout, not connected, disconnected, the sentry's exception, an unreachable node. */
  failed = 0;

  /** Calls started and not settled yet. */
  get outstanding(): number {
    return this.started - this.answered - this.failed;
  }

  /** `call`, counted. */
  count<T>(call: Promise<T>, options: SentryCallOptions): Promise<T> {
    this.started++;
    return call.then(
      (answer) => {
        this.answered++;
        return answer;
      },
      (error: unknown) => {
        if (options.signal?.aborted) this.started--;
        else this.failed++;
        throw error;
      },
    );
  }
}

/** `connector` with its calls counted in `tally`. */
export function countedConnector(connector: SentryConnector, tally: CallTally): SentryConnector {
  return {
    call: (guid, method, params, options) => tally.count(connector.call(guid, method, params, options), options),
    list: () => connector.list(),
  };
}

/** `cluster` with its calls counted in `tally`. */
export function countedCluster(cluster: Cluster, tally: CallTally): Cluster {
  return {
    nodes: () => cluster.nodes(),
    sentries: () => cluster.sentries(),
    locate: (guid) => cluster.locate(guid),
    call: (node, guid, method, params, options) => tally.count(cluster.call(node, guid, method, params, options), options),
  };
}
