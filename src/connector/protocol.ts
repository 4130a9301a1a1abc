/**
 * The sentry link's handshake: the connector's challenge (src/rpc/challenge.ts), the sentry's hello proving its
 * key over the challenge's nonce, then the one welcome (src/rpc/welcome-frame.ts); then JSON-RPC 2.0 text frames
 * (src/rpc/rpc-frames.ts).
 *
 * @module
 */
import { z } from 'zod';
import { LONE_SURROGATE } from '../runtime/untrusted-text.js';
import { proofSchema } from '../rpc/challenge.js';

/** The sentry's answer to the challenge: who it is, and a proof of its key (the key itself is never sent). */
export const helloFrameSchema = z.object({
  /** Always `hello`. */
  type: z.literal('hello'),
  /** The sentry's GUID (1–256 characters). */
  guid: z
    .string()
    .min(1)
    .max(256)
    .refine((g) => !LONE_SURROGATE.test(g), { message: 'a guid must be well-formed Unicode' }),
  /** HMAC-SHA256(key, `sentry-netstat hello v1` NUL nonce NUL guid), base64url: see `proofOf` in src/rpc/challenge.ts. */
  proof: proofSchema,
  /** The sentry's host name, if it says. */
  hostname: z.string().max(256).optional(),
  /** The sentry's operating system, if it says. */
  os: z.string().max(256).optional(),
});
/** A validated hello frame. */
export type HelloFrame = z.output<typeof helloFrameSchema>;
