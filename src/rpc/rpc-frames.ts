/**
 * JSON-RPC 2.0 frames as the links carry them (one object per text frame; batches are not part of the
 * protocol), and the one check every inbound frame goes through before it is acted on.
 *
 * @module
 */
import { z } from 'zod';
import { checkFrame, parseFrameJson, type FrameResult } from './read-frame.js';

const rpcId = z.union([z.string(), z.number()]);

/** A JSON-RPC 2.0 request. */
export const rpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: rpcId.optional(),
  method: z.string().min(1),
  params: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
});
/** A validated request. */
export type RpcRequestFrame = z.output<typeof rpcRequestSchema>;

/** A JSON-RPC 2.0 response: exactly one of `result` and `error`. */
export const rpcResponseSchema = z.union([
  z
    .object({ jsonrpc: z.literal('2.0'), id: rpcId.nullable(), result: z.unknown() })
    .refine((frame) => 'result' in frame, { message: 'expected result or error' }),
  z.object({
    jsonrpc: z.literal('2.0'),
    id: rpcId.nullable(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
  }),
]);
/** A validated response. */
export type RpcResponseFrame = z.output<typeof rpcResponseSchema>;

/** The error member of an error response. */
export type RpcErrorObject = { code: number; message: string; data?: unknown };

/**
 * Reads one inbound frame as a request (it has a `method`) or a response: one JSON parse and one schema check,
 * as before the channel existed.
 */
export function readRpcFrame(text: string): FrameResult<RpcRequestFrame | RpcResponseFrame> {
  const json = parseFrameJson(text);
  if (!json.ok) return json;
  const isRequest = typeof json.frame === 'object' && json.frame !== null && 'method' in json.frame;
  return isRequest ? checkFrame(rpcRequestSchema, json.frame) : checkFrame(rpcResponseSchema, json.frame);
}
