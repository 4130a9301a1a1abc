/**
 * The NATS subjects of the cluster, in one place. NATS routes by subject, so the subject says who answers:
 *
 * - `sentry.<guid>.<method>`: a call to one sentry; whoever holds the sentry (a data node, or the agent itself
 *   when it is on NATS) is subscribed to `sentry.<guid>.*`, and a call nobody holds gets NATS's "no responders".
 * - `sentry-node.<node>.heartbeat | changes | list`: a data node's presence (src/nats/node-presence.ts).
 * - `sentry-agent.<guid>.heartbeat`: a direct agent's presence.
 * - `sentry-presence.ping`: a control node asks everyone to announce themselves now (at its start and after it
 *   reconnects), instead of waiting for their next heartbeat.
 *
 * A guid is free text; a subject token may not hold `.`, `*`, `>` or white space, so guids travel percent-encoded
 * ({@link guidToken}), which a NATS permission can name exactly (`sentry.<token>.>`).
 *
 * @module
 */
import { LONE_SURROGATE } from '../runtime/untrusted-text.js';

/** The first token of every call subject. */
export const CALL_PREFIX = 'sentry';
/** The first token of a data node's presence subjects. */
export const NODE_PREFIX = 'sentry-node';
/** The first token of a direct agent's presence subject. */
export const AGENT_PREFIX = 'sentry-agent';

/** Where a control node asks every data node and direct agent to announce itself now. */
export const PRESENCE_PING_SUBJECT = 'sentry-presence.ping';

/** The `node` of a sentry that is connected to NATS itself (`agent --nats`) rather than to a data node. */
export const DIRECT_NODE = 'direct';

/** What a data node's name may be: a subject token that reads well in logs and records. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** What a sentry method may be, as the last token of a call subject. */
const METHOD_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The subject token of a guid: `encodeURIComponent`, with the characters it leaves alone but NATS gives a meaning
 * (`.`, `*`) or that could read as a quote (`!~'()`) percent-encoded too. Letters, digits, `-` and `_` stay as
 * they are, so a typical guid is its own token.
 *
 * @example
 * ```ts
 * guidToken('web-01'); // 'web-01'
 * guidToken('db.eu*1'); // 'db%2Eeu%2A1'
 * ```
 *
 * @throws Error for a guid holding a lone surrogate (the keys file and the hello refuse those already)
 */
export function guidToken(guid: string): string {
  if (LONE_SURROGATE.test(guid)) throw new Error('a guid must be well-formed Unicode (it holds a lone surrogate)');
  return encodeURIComponent(guid).replace(/[.*!~'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The guid of a subject token, or `undefined` when the token is not one {@link guidToken} makes. */
export function guidOfToken(token: string): string | undefined {
  try {
    const guid = decodeURIComponent(token);
    return guidToken(guid) === token ? guid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The subject of a call of `method` on sentry `guid`.
 * @throws Error for a method that is not a plain name
 */
export function callSubject(guid: string, method: string): string {
  if (!METHOD_PATTERN.test(method)) throw new Error(`not a sentry method name: ${method}`);
  return `${CALL_PREFIX}.${guidToken(guid)}.${method}`;
}

/** What the holder of sentry `guid` subscribes to: every method of that guid. */
export function sentryCallsSubject(guid: string): string {
  return `${CALL_PREFIX}.${guidToken(guid)}.*`;
}

/** The presence subjects of one data node. */
export interface NodeSubjects {
  /** Where it sends its heartbeat. */
  readonly heartbeat: string;
  /** Where it sends batches of sentry changes. */
  readonly changes: string;
  /** Where it answers requests for its whole list. */
  readonly list: string;
}

/** The presence subjects of data node `node`. */
export function nodeSubjects(node: string): NodeSubjects {
  return { heartbeat: `${NODE_PREFIX}.${node}.heartbeat`, changes: `${NODE_PREFIX}.${node}.changes`, list: `${NODE_PREFIX}.${node}.list` };
}

/** The presence subject of direct agent `guid`. */
export function agentHeartbeatSubject(guid: string): string {
  return `${AGENT_PREFIX}.${guidToken(guid)}.heartbeat`;
}
