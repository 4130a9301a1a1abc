/**
 * The control node's view of who holds which sentry, built from the data nodes' and direct agents'
 * announcements (node-presence.ts, direct-agent.ts). Bounds, from src/rpc/limits.ts:
 *
 * - a data node silent for {@link NODE_SUSPECT_AFTER_MS} is suspect: its sentries are listed as not connected
 *   and calls to them fail with `node NAME is unreachable`;
 * - silent for {@link NODE_EXPIRY_MS}, it is gone, with its sentries; a node that says it is leaving is gone at
 *   once;
 * - a direct agent silent for {@link DIRECT_AGENT_EXPIRY_MS} is gone.
 *
 * Every announcement is validated; one that does not check out is dropped (and counted in the log).
 *
 * @module
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { DIRECT_AGENT_EXPIRY_MS, NODE_EXPIRY_MS, NODE_LIST_TIMEOUT_MS, NODE_SUSPECT_AFTER_MS } from '../rpc/limits.js';
import type { ClusterSentryInfo } from '../runtime/cluster.js';
import { AGENT_PREFIX, DIRECT_NODE, guidOfToken, NODE_NAME_PATTERN, NODE_PREFIX, PRESENCE_PING_SUBJECT } from './subjects.js';
import {
  agentHeartbeatSchema,
  nodeChangesSchema,
  nodeHeartbeatSchema,
  type AnnouncedSentry,
  type NodeChanges,
  type NodeHeartbeat,
  type NodeList,
} from './wire.js';

/** Something the directory noticed, for the operator's log. */
export interface PresenceEvent {
  /** `node-joined`, `node-suspect` (silent), `node-back`, `node-left` (said so or expired), `node-restarted`, `bad-announcement`. */
  readonly event: 'node-joined' | 'node-suspect' | 'node-back' | 'node-left' | 'node-restarted' | 'bad-announcement';
  /** The node's name (or the subject of a bad announcement). */
  readonly node: string;
  /** More about it (e.g. how many sentries, or why it left). */
  readonly detail: string;
}

interface NodeState {
  boot: string;
  session: number;
  version: number;
  lastSeen: number;
  suspect: boolean;
  /** Whether its list is being fetched. */
  fetching: boolean;
  sentries: Map<string, AnnouncedSentry>;
}

interface AgentState {
  info: AnnouncedSentry;
  lastSeen: number;
  session: number;
}

/** Options of {@link PresenceDirectory}. */
export interface PresenceDirectoryOptions {
  /** Asks data node `node` for its whole list. */
  readonly fetchList: (node: string) => Promise<NodeList>;
  /** Told of nodes joining, going silent, coming back and leaving. */
  readonly log?: (event: PresenceEvent) => void;
  /** A node moved to a new NATS session (it reconnected). */
  readonly onNodeSession?: (node: string, session: number) => void;
  /** A node became suspect or left. */
  readonly onNodeLost?: (node: string) => void;
  /** A node came back as a new process (a new boot id): what it was doing is gone. */
  readonly onNodeRestarted?: (node: string) => void;
  /** The direct agent `guid` moved to a new NATS session (it reconnected). */
  readonly onAgentSession?: (guid: string, session: number) => void;
  /** The current time. @default Date.now */
  readonly now?: () => number;
}

/** Who holds which sentry, from the announcements on NATS. */
export class PresenceDirectory {
  readonly #nodes = new Map<string, NodeState>();
  readonly #agents = new Map<string, AgentState>();
  readonly #subs: Subscription[];
  readonly #sweep: NodeJS.Timeout;
  readonly #options: PresenceDirectoryOptions;
  readonly #now: () => number;
  #closed = false;

  constructor(nc: NatsConnection, options: PresenceDirectoryOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    const on = (subject: string, handle: (msg: Msg) => void): Subscription =>
      nc.subscribe(subject, {
        callback: (error, msg) => {
          if (error) return;
          try {
            handle(msg);
          } catch (e) {
            this.#log('bad-announcement', msg.subject.slice(0, 200), e instanceof Error ? e.message.slice(0, 200) : 'invalid');
          }
        },
      });
    this.#subs = [
      on(`${NODE_PREFIX}.*.heartbeat`, (msg) => this.#onHeartbeat(nodeOf(msg.subject), nodeHeartbeatSchema.parse(msg.json()))),
      on(`${NODE_PREFIX}.*.changes`, (msg) => this.#onChanges(nodeOf(msg.subject), nodeChangesSchema.parse(msg.json()))),
      on(`${AGENT_PREFIX}.*.heartbeat`, (msg) => this.#onAgent(msg)),
    ];
    this.#sweep = setInterval(() => this.sweep(), 250);
    // Everyone announces themselves now rather than at their next heartbeat (direct agents: 10 s); again after
    // a reconnect, which may have lost announcements.
    this.#ping(nc);
    void (async () => {
      for await (const status of nc.status()) {
        if (this.#closed) break;
        if (status.type === 'reconnect') this.#ping(nc);
      }
    })();
  }

  #ping(nc: NatsConnection): void {
    try {
      nc.publish(PRESENCE_PING_SUBJECT);
    } catch {
      // closed: nothing to ask
    }
  }

  /** Resolves once the announcements asked for at the start have had time to come, and their lists with them. */
  async settled(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const end = this.#now() + NODE_LIST_TIMEOUT_MS;
    while ([...this.#nodes.values()].some((n) => n.fetching || n.version < 0) && this.#now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #log(event: PresenceEvent['event'], node: string, detail: string): void {
    this.#options.log?.({ event, node, detail });
  }

  #onHeartbeat(name: string, beat: NodeHeartbeat): void {
    const known = this.#nodes.get(name);
    if (beat.leaving) {
      if (known) this.#forget(name, 'it is shutting down');
      return;
    }
    if (!known || known.boot !== beat.boot) {
      if (known) {
        this.#log('node-restarted', name, 'a new process; its list is fetched again');
        this.#options.onNodeRestarted?.(name);
      } else this.#log('node-joined', name, `${beat.count} sentries`);
      const state: NodeState = { ...beat, lastSeen: this.#now(), suspect: false, fetching: false, sentries: new Map(), version: -1 };
      this.#nodes.set(name, state);
      this.#fetch(name, state);
      return;
    }
    known.lastSeen = this.#now();
    if (known.suspect) {
      known.suspect = false;
      this.#log('node-back', name, `${beat.count} sentries`);
    }
    if (beat.session > known.session) {
      known.session = beat.session;
      this.#options.onNodeSession?.(name, beat.session);
    }
    if (beat.version !== known.version) this.#fetch(name, known);
  }

  #onChanges(name: string, changes: NodeChanges): void {
    const known = this.#nodes.get(name);
    if (!known || known.boot !== changes.boot) return; // its heartbeat will introduce it
    if (changes.from !== known.version) return void this.#fetch(name, known);
    for (const guid of changes.disconnected) known.sentries.delete(guid);
    for (const s of changes.connected) known.sentries.set(s.guid, s);
    known.version = changes.version;
  }

  #fetch(name: string, state: NodeState): void {
    if (state.fetching) return;
    state.fetching = true;
    this.#options.fetchList(name).then(
      (list) => {
        state.fetching = false;
        if (this.#nodes.get(name) !== state || list.boot !== state.boot) return;
        state.sentries = new Map(list.sentries.map((s) => [s.guid, s]));
        state.version = list.version;
      },
      () => {
        // unanswered: asked again at the next heartbeat whose version differs
        state.fetching = false;
      },
    );
  }

  #onAgent(msg: Msg): void {
    const guid = guidOfToken(msg.subject.split('.')[1] ?? '');
    if (guid === undefined) throw new Error('not a guid token');
    const beat = agentHeartbeatSchema.parse(msg.json());
    if (beat.leaving) return void this.#agents.delete(guid);
    const { leaving: _, session, ...info } = beat;
    const known = this.#agents.get(guid);
    this.#agents.set(guid, { info: { guid, ...info }, lastSeen: this.#now(), session: session ?? 0 });
    if (known && session !== undefined && session > known.session) this.#options.onAgentSession?.(guid, session);
  }

  #forget(name: string, why: string): void {
    this.#nodes.delete(name);
    this.#log('node-left', name, why);
    this.#options.onNodeLost?.(name);
  }

  /** Marks silent nodes suspect and forgets expired nodes and agents (runs every 250 ms by itself). */
  sweep(): void {
    const now = this.#now();
    for (const [name, state] of this.#nodes) {
      const silent = now - state.lastSeen;
      if (silent >= NODE_EXPIRY_MS) this.#forget(name, `silent for ${Math.round(silent / 1000)} s`);
      else if (silent >= NODE_SUSPECT_AFTER_MS && !state.suspect) {
        state.suspect = true;
        this.#log('node-suspect', name, `silent for ${Math.round(silent / 1000)} s`);
        this.#options.onNodeLost?.(name);
      }
    }
    for (const [guid, agent] of this.#agents) if (now - agent.lastSeen >= DIRECT_AGENT_EXPIRY_MS) this.#agents.delete(guid);
  }

  /** The data nodes announcing themselves now (suspect ones included). */
  nodeNames(): string[] {
    return [...this.#nodes.keys()];
  }

  /** Whether `name` is a data node that announced itself and has not expired. */
  hasNode(name: string): boolean {
    return this.#nodes.has(name);
  }

  /** Whether data node `name` has gone silent. */
  isSuspect(name: string): boolean {
    return this.#nodes.get(name)?.suspect === true;
  }

  /** The node holding `guid`: a data node's name, {@link DIRECT_NODE} for an agent on NATS, or `undefined`. */
  locate(guid: string): string | undefined {
    for (const [name, state] of this.#nodes) if (state.sentries.has(guid)) return name;
    return this.#agents.has(guid) ? DIRECT_NODE : undefined;
  }

  /** Every announced sentry, with its node; a suspect node's as not connected. */
  sentries(): ClusterSentryInfo[] {
    const rows: ClusterSentryInfo[] = [];
    const info = (s: AnnouncedSentry, node: string, connected: boolean): ClusterSentryInfo => {
      const { connected_at, ...rest } = s;
      const at = connected_at === undefined ? undefined : new Date(connected_at);
      return { ...rest, node, connected, ...(at && !Number.isNaN(at.getTime()) && { connected_at: at }) };
    };
    for (const [name, state] of this.#nodes) for (const s of state.sentries.values()) rows.push(info(s, name, !state.suspect));
    for (const agent of this.#agents.values()) rows.push(info(agent.info, DIRECT_NODE, true));
    return rows;
  }

  /** Stops listening. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const sub of this.#subs) sub.unsubscribe();
  }
}

/** The node name of a presence subject; throws for a name a node may not have. */
function nodeOf(subject: string): string {
  const name = subject.split('.')[1] ?? '';
  if (!NODE_NAME_PATTERN.test(name) || name === DIRECT_NODE) throw new Error('not a node name');
  return name;
}
