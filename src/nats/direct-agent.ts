/**
 * A sentry connected to NATS itself (`agent --nats URL --creds FILE`), for the largest fleets: no data node in
 * between. It serves its own `sentry.<guid>.*` and announces itself on `sentry-agent.<guid>.heartbeat` every
 * {@link DIRECT_AGENT_HEARTBEAT_MS}; its credentials allow nothing else (src/nats/permissions.ts). It answers
 * exactly as a data node does (acknowledgement, then the reply in chunks), so it is queried exactly like one,
 * with `node` = `direct`.
 *
 * @module
 */
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { gateMethods, type CollectionGateOptions } from '../agent/collection-gate.js';
import { DIRECT_AGENT_HEARTBEAT_MS } from '../rpc/limits.js';
import type { SentryMethods } from '../runtime/sentry-methods.js';
import { describeIssue } from '../runtime/zod-issue.js';
import { NatsSession } from './nats-session.js';
import { Outbox } from './outbox.js';
import { answer as answerRequest, type ResponderIdentity } from './responder.js';
import { agentHeartbeatSubject, DIRECT_NODE, PRESENCE_PING_SUBJECT, sentryCallsSubject } from './subjects.js';
import { callRequestSchema, type AgentHeartbeat, type CallReply } from './wire.js';

/** Options of {@link serveSentryOnNats}. */
export interface DirectAgentOptions {
  /** The agent's connection to NATS, with credentials for its own guid. */
  readonly nc: NatsConnection;
  /** The sentry's guid. */
  readonly guid: string;
  /** What it answers (the CLI gives `AGENT_METHODS`). */
  readonly methods: SentryMethods;
  /** How often a method may be collected (collection-gate.ts). */
  readonly collections?: CollectionGateOptions;
  /** Announced in the heartbeat. */
  readonly hostname?: string;
  /** Announced in the heartbeat. */
  readonly os?: string;
}

/** A running direct agent. */
export interface DirectAgent {
  /** Announces that it leaves and stops serving (the connection stays open: the caller drains it). */
  close(): void;
}

/**
 * Serves the sentry on NATS.
 * @throws Error when NATS refuses the subscription (credentials for another guid)
 */
export async function serveSentryOnNats(options: DirectAgentOptions): Promise<DirectAgent> {
  const { nc, guid } = options;
  const handlers = gateMethods(options.methods, options.collections);
  const stop = new AbortController();
  const outbox = new Outbox(nc);
  const session = new NatsSession(nc, () => heartbeat());
  const identity: ResponderIdentity = { node: DIRECT_NODE, session: () => session.count };
  const connectedAt = new Date().toISOString();
  const heartbeat = (leaving = false): void => {
    const beat: AgentHeartbeat = {
      connected_at: connectedAt,
      session: session.count,
      ...(options.hostname !== undefined && { hostname: options.hostname }),
      ...(options.os !== undefined && { os: options.os }),
      ...(leaving && { leaving }),
    };
    // Refused (closed) or dropped while reconnecting: the next heartbeat goes out.
    outbox.publish(agentHeartbeatSubject(guid), JSON.stringify(beat));
  };

  const answer = async (msg: Msg): Promise<CallReply> => {
    const method = msg.subject.slice(msg.subject.lastIndexOf('.') + 1);
    const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
    if (!handler) return { error: { kind: 'refused', message: `method not found: ${method}` } };
    let request;
    try {
      request = callRequestSchema.safeParse(msg.json());
    } catch {
      return { error: { kind: 'refused', message: 'invalid call: not JSON' } };
    }
    if (!request.success) return { error: { kind: 'refused', message: `invalid call: ${describeIssue(request.error.issues[0]!)}` } };
    try {
      return { result: await handler(request.data.params, stop.signal) };
    } catch (error) {
      return { error: { kind: 'remote', message: error instanceof Error ? error.message : String(error) } };
    }
  };

  let refused: Error | undefined;
  const sub = nc.subscribe(sentryCallsSubject(guid), {
    callback: (error, msg) => {
      if (error) {
        refused = error;
        return;
      }
      void answerRequest(outbox, msg, identity, () => answer(msg));
    },
  });
  // A refused subscription comes back as an error before the flush's PONG.
  await nc.flush();
  await new Promise((resolve) => setImmediate(resolve));
  if (refused) {
    session.close();
    throw new Error(`NATS refused serving ${sentryCallsSubject(guid)} (${refused.message}): are these credentials for guid ${guid}?`);
  }
  heartbeat();
  const timer = setInterval(() => heartbeat(), DIRECT_AGENT_HEARTBEAT_MS);
  // A control node that just started asks everyone to announce themselves.
  const ping = nc.subscribe(PRESENCE_PING_SUBJECT, { callback: (error) => (error ? undefined : heartbeat()) });
  return {
    close: () => {
      clearInterval(timer);
      session.close();
      stop.abort(new Error('the agent is shutting down'));
      sub.unsubscribe();
      ping.unsubscribe();
      heartbeat(true);
      outbox.flush();
    },
  };
}
