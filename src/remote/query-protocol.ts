import { z } from 'zod';
import { proofSchema } from '../rpc/challenge.js';

/**
 * The client's only frame, the answer to the node's challenge (src/rpc/challenge.ts): run this query, proven
 * with the administrator token (which never travels).
 */
export const queryRequestSchema = z.strictObject({
  /** Always `query`. */
  type: z.literal('query'),
  /**
   * HMAC-SHA256(administrator token, `sentry-netstat query v1` NUL nonce NUL query), base64url: the proof covers
   * the query text, so it cannot be reused for another query (or, with another nonce, at all).
   */
  proof: proofSchema,
  /** The query text to run. */
  query: z.string(),
});
/** A validated query request. */
export type QueryRequest = z.infer<typeof queryRequestSchema>;

/** What the node streams back: records, then exactly one `end` or `error`. */
export const queryResponseSchema = z.discriminatedUnion('type', [
  z.strictObject({
    /** Records of the result, in order (several per frame: one frame per record cost more than the query). */
    type: z.literal('records'),
    /** The records, values as JSON (ipaddr as text). */
    rows: z.array(z.record(z.string(), z.unknown())),
  }),
  z.strictObject({
    /** The query is over. */
    type: z.literal('end'),
    /** `end` when it ran to completion, `cancel` when it was cancelled. */
    reason: z.enum(['end', 'cancel']),
  }),
  /** `code` is set for parse errors (e.g. 23100), which the CLI prints as `CODE MESSAGE` and exits 2 for. */
  z.strictObject({
    /** The query was refused or failed. */
    type: z.literal('error'),
    /** The error code, for parse errors. */
    code: z.number().int().optional(),
    /** What went wrong. */
    message: z.string(),
  }),
]);
/** A validated response frame. */
export type QueryResponse = z.infer<typeof queryResponseSchema>;
