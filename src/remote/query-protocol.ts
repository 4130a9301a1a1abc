import { z } from 'zod';

/** The client's only frame: run this query with this administrator token. */
export const queryRequestSchema = z.strictObject({
  type: z.literal('query'),
  token: z.string().min(1),
  query: z.string(),
});
export type QueryRequest = z.infer<typeof queryRequestSchema>;

/** What the node streams back: records, then exactly one `end` or `error`. */
export const queryResponseSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('record'), row: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal('end'), reason: z.enum(['end', 'cancel']) }),
  /** `code` is set for parse errors (e.g. 23100), which the CLI prints as `CODE MESSAGE` and exits 2 for. */
  z.strictObject({ type: z.literal('error'), code: z.number().int().optional(), message: z.string() }),
]);
export type QueryResponse = z.infer<typeof queryResponseSchema>;
