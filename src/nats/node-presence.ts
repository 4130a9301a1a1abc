/**
 * A data node's announcements on NATS: a heartbeat every {@link NODE_HEARTBEAT_MS} (its boot id, NATS session,
 * directory version and sentry count), its sentries' connects and disconnects gathered for
 * {@link PRESENCE_BATCH_MS} into one `changes` message, and its whole list on request (`list`, chunked like any
 * reply). The control node applies changes in version order and asks for the list when it missed one, so the
 * list travels only when needed, whatever the number of sentries.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { NODE_HEARTBEAT_MS, NATS_CHUNK_HEADER_ROOM_BYTES, PRESENCE_BATCH_MS } from '../rpc/limits.js';
import type { SentryInfo } from '../runtime/sentry-connector.js';
import type { NatsSession } from './nats-session.js';
import type { Outbox } from './outbox.js';
import { answer } from './responder.js';
import { nodeSubjects, PRESENCE_PING_SUBJECT } from './subjects.js';
import type { AnnouncedSentry, NodeChanges, NodeHeartbeat, NodeList } from './wire.js';

/** A sentry as announced: its `connected_at` as ISO text. */
export function announced(info: SentryInfo): AnnouncedSentry {
  return {
    guid: info.guid,
    ...(info.hostname !== undefined && { hostname: info.hostname }),
    ...(info.os !== undefined && { os: info.os }),
    ...(info.remote_ip !== undefined && { remote_ip: info.remote_ip }),
    ...(info.connected_at && { connected_at: info.connected_at.toISOString() }),
  };
}

/** What one data node announces. */
export class NodePresence {
  readonly #boot = randomUUID();
  readonly #subjects: ReturnType<typeof nodeSubjects>;
  /** guid → its new state (an announced sentry, or `null`: gone) since the last batch. */
  #batch = new Map<string, AnnouncedSentry | null>();
  #batchTimer: NodeJS.Timeout | undefined;
  #version = 0;
  readonly #heartbeat: NodeJS.Timeout;
  readonly #listSub;
  readonly #pingSub;

  constructor(
    readonly outbox: Outbox,
    readonly name: string,
    readonly session: NatsSession,
    /** The sentries connected now (built for a `list` request only). */
    readonly connected: () => readonly SentryInfo[],
    /** How many are connected now: the heartbeat's count, every second, without building the list. */
    readonly connectedCount: () => number,
  ) {
    this.#subjects = nodeSubjects(name);
    const identity = { node: name, session: () => session.count };
    this.#listSub = outbox.nc.subscribe(this.#subjects.list, {
      callback: (error, msg) => {
        if (error) return;
        void answer(outbox, msg, identity, () => {
          this.#flush();
          const list: NodeList = { ...this.#identity(), version: this.#version, sentries: this.connected().map(announced) };
          return Promise.resolve({ result: list });
        });
      },
    });
    // A control node that just started asks; the answer is the heartbeat (which leads it to the list).
    this.#pingSub = outbox.nc.subscribe(PRESENCE_PING_SUBJECT, { callback: (error) => (error ? undefined : this.heartbeat()) });
    this.#heartbeat = setInterval(() => this.heartbeat(), NODE_HEARTBEAT_MS);
    this.heartbeat();
  }

  #identity(): { boot: string; session: number } {
    return { boot: this.#boot, session: this.session.count };
  }

  #publish(subject: string, value: object): void {
    // Refused (closed), or dropped while disconnected: the next heartbeat says where things stand.
    this.outbox.publish(subject, JSON.stringify(value));
  }

  /** Announces the node now (also after each reconnect, so callers learn of the new session at once). */
  heartbeat(leaving = false): void {
    const beat: NodeHeartbeat = {
      ...this.#identity(),
      version: this.#version,
      count: this.connectedCount(),
      ...(leaving && { leaving }),
    };
    this.#publish(this.#subjects.heartbeat, beat);
  }

  /** A sentry came or went: announced with the next batch. */
  changed(info: SentryInfo): void {
    this.#batch.set(info.guid, info.connected ? announced(info) : null);
    this.#batchTimer ??= setTimeout(() => this.#flush(), PRESENCE_BATCH_MS);
  }

  #flush(): void {
    clearTimeout(this.#batchTimer);
    this.#batchTimer = undefined;
    if (this.#batch.size === 0) return;
    const batch = this.#batch;
    this.#batch = new Map();
    const from = this.#version++;
    const changes: NodeChanges = {
      ...this.#identity(),
      from,
      version: this.#version,
      connected: [...batch.values()].filter((s): s is AnnouncedSentry => s !== null),
      disconnected: [...batch].filter(([, s]) => s === null).map(([guid]) => guid),
    };
    const text = JSON.stringify(changes);
    // Too big for one message: not sent; the heartbeat's version tells the control node to ask for the list.
    if (Buffer.byteLength(text) <= (this.outbox.nc.info?.max_payload ?? 1024 * 1024) - NATS_CHUNK_HEADER_ROOM_BYTES) {
      this.#publish(this.#subjects.changes, changes);
    }
  }

  /** Announces that the node is leaving, and stops. */
  close(): void {
    clearInterval(this.#heartbeat);
    clearTimeout(this.#batchTimer);
    this.#listSub.unsubscribe();
    this.#pingSub.unsubscribe();
    this.heartbeat(true);
    this.outbox.flush();
  }
}
