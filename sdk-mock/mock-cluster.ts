import type { Cluster, ClusterNode, ClusterSentryInfo } from '../src/runtime/cluster.js';
import { SentryRpcError, type SentryCallOptions } from '../src/runtime/sentry-connector.js';
import { RUNTIME_ERRORS } from '../src/errors/runtime-errors.js';
import { MockSentryConnector, type MockSentry } from './mock-sentries.js';

/** A data node of the in-memory cluster. Field names follow the scenario file. */
export interface MockDataNode {
  /** The data node's name. */
  readonly name: string;
  /** The sentries this node holds. @default [] */
  readonly sentries?: readonly MockSentry[];
  /** Extra milliseconds every call through this node takes (a slow node). @default 0 */
  readonly delay_ms?: number;
  /** `"down"`: the node cannot be reached; every call through it fails with a message naming it. */
  readonly fail?: 'down';
}

/** The message of a call through a node that is down. */
export const nodeUnreachable = (node: string): string => RUNTIME_ERRORS.NODE_UNREACHABLE.message(node);

/**
 * An offline cluster: a control node (where queries run) and data nodes, each holding its own in-memory
 * sentries. A slow node delays only its own calls (and the delay counts against the call's timeout); a node
 * that is down fails only its own calls.
 */
export class MockCluster implements Cluster {
  readonly #nodes = new Map<string, { spec: MockDataNode; sentries: MockSentryConnector }>();

  /** @param dataNodes - the data nodes and their sentries
   * @param controlName - name of the control node */
  constructor(
    dataNodes: readonly MockDataNode[],
    readonly controlName = 'control',
  ) {
    for (const spec of dataNodes) this.#nodes.set(spec.name, { spec, sentries: new MockSentryConnector(spec.sentries) });
  }

  /** The in-memory sentries of data node `name`, to inspect or change them. */
  dataNode(name: string): MockSentryConnector | undefined {
    return this.#nodes.get(name)?.sentries;
  }

  nodes(): ClusterNode[] {
    return [{ name: this.controlName, type: 'control' }, ...[...this.#nodes.keys()].map((name) => ({ name, type: 'data' as const }))];
  }

  sentries(): ClusterSentryInfo[] {
    return [...this.#nodes].flatMap(([node, { sentries }]) => sentries.list().map((info) => ({ ...info, node })));
  }

  locate(guid: string): string | undefined {
    for (const [name, { sentries }] of this.#nodes) {
      if (sentries.list().some((s) => s.guid === guid && s.connected)) return name;
    }
    return undefined;
  }

  async call(
    node: string,
    guid: string,
    method: string,
    params: Readonly<Record<string, unknown>>,
    options: SentryCallOptions,
  ): Promise<unknown> {
    const found = this.#nodes.get(node);
    if (!found) throw SentryRpcError.unknownNode(node);
    if (found.spec.fail === 'down') throw SentryRpcError.nodeUnreachable(node);
    const delay = found.spec.delay_ms ?? 0;
    if (delay > 0) {
      // The node's own delay is part of the call: it counts against the timeout and stops on abort.
      await abortableDelay(Math.min(delay, options.timeoutMs), options.signal);
      if (delay >= options.timeoutMs) throw SentryRpcError.timeout();
    }
    return found.sentries.call(guid, method, params, { ...options, timeoutMs: options.timeoutMs - delay });
  }
}

/**
 * Waits `ms` on the global timer (which test fake clocks control, unlike node:timers/promises), or rejects with
 * the signal's reason as soon as it aborts, clearing the timer.
 */
function abortableDelay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
