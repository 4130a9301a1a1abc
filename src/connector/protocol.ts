/**
 * The sentry link's wire protocol: a hello/welcome handshake in plain JSON, then JSON-RPC 2.0 text frames.
 * Every inbound frame is checked against these schemas before it is acted on.
 *
 * @module
 */
import { z } from 'zod';
import { describeIssue } from '../runtime/zod-issue.js';

/** The first frame a sentry sends: who it is and its shared key. */
export const helloFrameSchema = z.object({
  /** Always `hello`. */
  type: z.literal('hello'),
  /** The sentry's GUID (1–256 characters). */
  guid: z.string().min(1).max(256),
  /** The sentry's shared key (1–4096 characters). */
  key: z.string().min(1).max(4096),
  /** The sentry's host name, if it says. */
  hostname: z.string().max(256).optional(),
  /** The sentry's operating system, if it says. */
  os: z.string().max(256).optional(),
});
/** A validated hello frame. */
export type HelloFrame = z.output<typeof helloFrameSchema>;

/** The connector's answer to an accepted hello; from then on both sides speak JSON-RPC. */
export const welcomeFrameSchema = z.object({
  /** Always `welcome`. */
  type: z.literal('welcome'),
});
/** A validated welcome frame. */
export type WelcomeFrame = z.output<typeof welcomeFrameSchema>;

const rpcId = z.union([z.string(), z.number()]);

/** A JSON-RPC 2.0 request (connector → sentry). Batches are not part of the protocol. */
export const rpcRequestSchema = z.object({
  jsonrpc: z.literal('2.0'),
  id: rpcId.optional(),
  method: z.string().min(1),
  params: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
});

/** A JSON-RPC 2.0 response (sentry → connector): exactly one of `result` and `error`. */
export const rpcResponseSchema = z.union([
  z.object({ jsonrpc: z.literal('2.0'), id: rpcId.nullable(), result: z.unknown() })
    .refine((frame) => 'result' in frame, { message: 'expected result or error' }),
  z.object({
    jsonrpc: z.literal('2.0'),
    id: rpcId.nullable(),
    error: z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() }),
  }),
]);

/** WebSocket close codes the link uses (the reason text says the detail). */
export const CLOSE_CODES = Object.freeze({
  /** The connector is shutting down. */
  goingAway: 1001,
  /** A frame was not JSON or broke the schema. */
  malformedFrame: 1007,
  /** Authentication failed or did not happen in time. */
  policy: 1008,
  /** A frame exceeded `maxPayload` (sent by `ws` itself). */
  tooBig: 1009,
  /** A newer authenticated link of the same guid took over. */
  replaced: 4000,
});

/** The result of reading one frame: the data, or why it was refused. */
export type FrameResult<T> = { ok: true; frame: T } | { ok: false; error: string };

/** Decodes a text frame as JSON and checks it against `schema`; never throws. */
export function readFrame<T>(schema: z.ZodType<T>, data: Buffer | ArrayBuffer | Buffer[]): FrameResult<T> {
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'frame is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const [first] = parsed.error.issues;
  return { ok: false, error: `frame breaks the protocol${first ? `: ${describeIssue(first)}` : ''}` };
}
