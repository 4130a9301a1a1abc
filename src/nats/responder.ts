/**
 * The answering side of a call on NATS: acknowledge it when the answer takes a while, then send the reply in
 * chunks that fit the server's `max_payload`. Data nodes, direct agents and a data node's `list` all answer this way.
 *
 * @module
 */
import { headers, type Msg } from '@nats-io/transport-node';
import { NATS_ACK_DELAY_MS, NATS_ANSWER_LIMIT_BYTES, NATS_CHUNK_HEADER_ROOM_BYTES } from '../rpc/limits.js';
import type { Outbox } from './outbox.js';
import { JsonText, stringifyWithoutRecursion } from '../rpc/json-text.js';
import { formatReplyLabel, REPLY_HEADER, type CallReply } from './wire.js';

/** Who answers: the node's name and its current NATS session. */
export interface ResponderIdentity {
  /** Node name (`direct` for an agent on NATS). */
  readonly node: string;
  /** The NATS session (connection count) of the responder. */
  readonly session: () => number;
}

function replyHeaders(identity: ResponderIdentity, kind: 'ack' | 'chunk', chunk?: string): ReturnType<typeof headers> {
  const h = headers();
  h.set(REPLY_HEADER, formatReplyLabel({ kind, node: identity.node, session: identity.session(), ...(chunk !== undefined && { chunk }) }));
  return h;
}

/**
 * Answers a request: acknowledges it if `work` takes longer than {@link NATS_ACK_DELAY_MS} (the caller then knows
 * who holds it), then sends its reply. A request without a reply subject is ignored. Never rejects.
 */
export async function answer(outbox: Outbox, msg: Msg, identity: ResponderIdentity, work: () => Promise<CallReply>): Promise<void> {
  const reply = msg.reply;
  if (!reply) return;
  const ack = setTimeout(() => outbox.publish(reply, undefined, { headers: replyHeaders(identity, 'ack') }), NATS_ACK_DELAY_MS);
  let result: CallReply;
  try {
    result = await work();
  } catch (error) {
    result = { error: { kind: 'remote', message: error instanceof Error ? error.message : String(error) } };
  } finally {
    clearTimeout(ack);
  }
  sendReply(outbox, reply, identity, result);
}

/**
 * The JSON bytes of a reply; a result too deep for JSON.stringify is written without recursion (json-text.ts).
 */
function replyBytes(reply: CallReply): Buffer {
  // A result already written as JSON (an agent's collection, the simulator's answers) is spliced in as it is.
  if ('result' in reply && reply.result instanceof JsonText) return Buffer.from(`{"result":${reply.result.text}}`);
  try {
    return Buffer.from(JSON.stringify(reply));
  } catch {
    const text = stringifyWithoutRecursion(reply, NATS_ANSWER_LIMIT_BYTES.list);
    return Buffer.from(text ?? JSON.stringify({ error: { kind: 'remote', message: 'the answer cannot be sent' } }));
  }
}

/**
 * Sends `reply` to the request's reply subject in chunks of at most the server's `max_payload` minus
 * {@link NATS_CHUNK_HEADER_ROOM_BYTES}. Never throws: a connection that closed meanwhile loses the reply, and
 * the caller's own deadline covers that.
 */
export function sendReply(outbox: Outbox, to: string, identity: ResponderIdentity, reply: CallReply): void {
  const bytes = replyBytes(reply);
  // While reconnecting the client has no server info: assume the default 1 MiB.
  const chunkSize = Math.max(1024, (outbox.nc.info?.max_payload ?? 1024 * 1024) - NATS_CHUNK_HEADER_ROOM_BYTES);
  const count = Math.max(1, Math.ceil(bytes.length / chunkSize));
  // A publish refused (closed, draining) loses the reply: the caller times out or publishes again.
  for (let i = 0; i < count; i++) {
    outbox.publish(to, bytes.subarray(i * chunkSize, (i + 1) * chunkSize), { headers: replyHeaders(identity, 'chunk', `${i}/${count}`) });
  }
}
