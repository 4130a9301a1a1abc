/**
 * Counts a connection's NATS sessions: 0 at the first connection, one more at each reconnect. Replies and
 * heartbeats carry the count, so a caller can tell that a responder moved to another server (and that what it
 * sent before may be lost).
 *
 * @module
 */
import type { NatsConnection } from '@nats-io/transport-node';

/** The session count of one connection, and a hook run at each reconnect. */
export class NatsSession {
  #count = 0;
  #closed = false;

  constructor(
    nc: NatsConnection,
    readonly onReconnect: () => void,
  ) {
    void (async () => {
      for await (const status of nc.status()) {
        if (this.#closed) break;
        if (status.type === 'reconnect') {
          this.#count++;
          this.onReconnect();
        }
      }
    })();
  }

  /** The current session. */
  get count(): number {
    return this.#count;
  }

  /** Stops calling the hook. */
  close(): void {
    this.#closed = true;
  }
}
