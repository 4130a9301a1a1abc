/**
 * The sentry link's handshake: a sentry's hello, answered by the one welcome (src/rpc/welcome-frame.ts); then
 * JSON-RPC 2.0 text frames (src/rpc/rpc-frames.ts).
 *
 * @module
 */
import { z } from 'zod';

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
