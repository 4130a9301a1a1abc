/**
 * What travels on the cluster's NATS subjects, validated with zod on arrival: every message comes from another
 * process (a data node, an agent, or anyone holding credentials) and is untrusted until it checks out.
 *
 * A call is a request with a reply subject. Its responder acknowledges it when the answer takes a while (a
 * message labelled `ack`, {@link REPLY_HEADER}), then sends the reply as one or more chunks (`chunk`, `i/n`) that
 * together hold the JSON of a {@link CallReply}. Each reply message says which node sent it and in which of its NATS
 * sessions (its reconnect count), so the caller knows when an answer it is waiting for may have been lost.
 *
 * @module
 */
import { z } from 'zod';
import { CLUSTER_CALL_PARAMS_LIMIT_BYTES, CLUSTER_CALL_TIMEOUT_LIMIT_MS } from '../rpc/limits.js';
import { SENTRY_LABEL_MAX_CHARS } from '../runtime/input-limits.js';

/**
 * The one header of every reply message: `Sentry-Reply: ack NODE SESSION` or `Sentry-Reply: chunk NODE SESSION I/N`
 * (chunk I, from 0, of N). One header rather than four: headers are parsed for every reply, 10,000 per query.
 */
export const REPLY_HEADER = 'Sentry-Reply';

/** What a reply message's header says. */
export interface ReplyLabel {
  /** An acknowledgement, or a chunk of the reply. */
  readonly kind: 'ack' | 'chunk';
  /** Name of the responding node (`direct` for an agent on NATS). */
  readonly node: string;
  /** The responder's NATS session: its connection count, which grows at each reconnect. */
  readonly session: number;
  /** The chunk's position, `I/N`, for a chunk. */
  readonly chunk?: string;
}

/** The header text of `label`. */
export function formatReplyLabel(label: ReplyLabel): string {
  return `${label.kind} ${label.node} ${label.session}${label.chunk === undefined ? '' : ` ${label.chunk}`}`;
}

/** The label in a reply header, or `undefined` when it is not one. */
export function parseReplyLabel(text: string | undefined): ReplyLabel | undefined {
  const [kind, node, session, chunk, extra] = (text ?? '').split(' ');
  if ((kind !== 'ack' && kind !== 'chunk') || !node || node.length > 64 || extra !== undefined) return undefined;
  const n = Number(session);
  if (!Number.isSafeInteger(n) || n < 0) return undefined;
  if ((kind === 'chunk') !== (chunk !== undefined)) return undefined;
  return { kind, node, session: n, ...(chunk !== undefined && { chunk }) };
}

/** The body of a call request. */
export const callRequestSchema = z.object({
  /** Named parameters of the method. @default {} */
  params: z
    .record(z.string(), z.unknown())
    .default({})
    .refine((p) => Buffer.byteLength(JSON.stringify(p)) <= CLUSTER_CALL_PARAMS_LIMIT_BYTES, {
      message: `params over ${CLUSTER_CALL_PARAMS_LIMIT_BYTES} bytes`,
    }),
  /** The call's timeout on the responder, in milliseconds. */
  timeoutMs: z
    .number()
    .int()
    .positive()
    .max(CLUSTER_CALL_TIMEOUT_LIMIT_MS, { message: `timeout over ${CLUSTER_CALL_TIMEOUT_LIMIT_MS / 1000} s` }),
});
/** A validated call request. */
export type CallRequest = z.output<typeof callRequestSchema>;

/** The kinds of failure a reply may carry; the caller turns each into its own `_error`. */
export const REPLY_FAILURE_KINDS = ['not-connected', 'timeout', 'disconnected', 'remote', 'refused'] as const;

/** The reassembled reply to a call: the sentry's result, or why there is none. */
export const callReplySchema = z.union([
  z
    .object({
      /** The sentry's answer, as it sent it (the command validates it). */
      result: z.unknown(),
    })
    .strict(),
  z
    .object({
      /** Why there is no result. */
      error: z.object({
        /** One of {@link REPLY_FAILURE_KINDS}; `refused`: the responder would not run the call (a limit). */
        kind: z.literal(REPLY_FAILURE_KINDS),
        /** What happened, for the record's `_error`. */
        message: z.string().max(64 * 1024),
      }),
    })
    .strict(),
]);
/** A validated call reply. */
export type CallReply = z.output<typeof callReplySchema>;

const label = z.string().max(SENTRY_LABEL_MAX_CHARS * 4);

/** One sentry as a data node announces it. */
export const announcedSentrySchema = z.object({
  /** The sentry's guid. */
  guid: z.string().min(1).max(1024),
  /** Host name it reported. */
  hostname: label.optional(),
  /** Operating system it reported. */
  os: label.optional(),
  /** Address it connected from. */
  remote_ip: z.string().max(64).optional(),
  /** ISO time the sentry's link came up. */
  connected_at: z.string().max(64).optional(),
});
/** A validated announced sentry. */
export type AnnouncedSentry = z.output<typeof announcedSentrySchema>;

/** Who a data node is in this run: a random boot id, and its NATS session (reconnect count). */
const identity = {
  /** Random per process start: a new boot means a new directory. */
  boot: z.string().min(1).max(64),
  /** Grows at each reconnect to NATS: answers the node sent in an older session may have been lost. */
  session: z.number().int().nonnegative(),
};

/** A data node's heartbeat. */
export const nodeHeartbeatSchema = z.object({
  ...identity,
  /** The version of its sentry directory: grows at each change. */
  version: z.number().int().nonnegative(),
  /** How many sentries it holds. */
  count: z.number().int().nonnegative(),
  /** The node is shutting down: forget it now. */
  leaving: z.boolean().optional(),
});
/** A validated node heartbeat. */
export type NodeHeartbeat = z.output<typeof nodeHeartbeatSchema>;

/** A batch of changes to a data node's sentries, from directory version `from` to `version`. */
export const nodeChangesSchema = z.object({
  ...identity,
  /** The directory version these changes apply to. */
  from: z.number().int().nonnegative(),
  /** The version once they are applied. */
  version: z.number().int().nonnegative(),
  /** Sentries whose link came up. */
  connected: z.array(announcedSentrySchema),
  /** Guids whose link went down. */
  disconnected: z.array(z.string().min(1).max(1024)),
});
/** A validated batch of changes. */
export type NodeChanges = z.output<typeof nodeChangesSchema>;

/** A data node's whole directory, as it answers a `list` request. */
export const nodeListSchema = z.object({
  ...identity,
  /** The directory version the list is at. */
  version: z.number().int().nonnegative(),
  /** Every sentry connected to the node. */
  sentries: z.array(announcedSentrySchema),
});
/** A validated node list. */
export type NodeList = z.output<typeof nodeListSchema>;

/** A direct agent's heartbeat (the guid is in its subject, which its permissions bind it to). */
export const agentHeartbeatSchema = z.object({
  /** Host name of the agent's machine. */
  hostname: label.optional(),
  /** Its operating system. */
  os: label.optional(),
  /** ISO time the agent connected to NATS. */
  connected_at: z.string().max(64).optional(),
  /** Grows at each reconnect to NATS, as a data node's session does. */
  session: z.number().int().nonnegative().optional(),
  /** The agent is shutting down. */
  leaving: z.boolean().optional(),
});
/** A validated agent heartbeat. */
export type AgentHeartbeat = z.output<typeof agentHeartbeatSchema>;
