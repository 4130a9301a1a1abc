/**
 * Challenge–response: how a sentry's key and the administrator token prove themselves without ever being sent.
 * The server opens every connection with `{type:'challenge', nonce}` (fresh random bytes, one per connection);
 * the client answers with `proof = HMAC-SHA256(secret, purpose NUL nonce NUL subject)`, which the server
 * recomputes with the secret it holds and compares in constant time. A captured handshake is useless on another
 * connection (another nonce), and a proof for one purpose (a hello) is no proof for another (a query).
 *
 * Secrets are bytes: a key or token file is read as bytes, never decoded, so two different secrets can never
 * compare equal because they decode to the same text (e.g. invalid UTF-8 becoming U+FFFD).
 *
 * @module
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Random bytes in a nonce (32: 256 bits, so a nonce never repeats and cannot be guessed). */
export const NONCE_BYTES = 32;

/** What a proof is for; each is its own domain, so a proof for one is never valid for another. */
export const PROOF_PURPOSE = Object.freeze({
  /** A sentry's hello; the subject is its guid. */
  hello: 'sentry-netstat hello v1',
  /** A query request; the subject is the query text, so a proof cannot carry another query. */
  query: 'sentry-netstat query v1',
});
/** One of {@link PROOF_PURPOSE}. */
export type ProofPurpose = (typeof PROOF_PURPOSE)[keyof typeof PROOF_PURPOSE];

/** A base64url string of exactly 32 bytes: a nonce or an HMAC-SHA256. */
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/** The server's first frame on every connection. */
export const challengeFrameSchema = z.object({
  /** Always `challenge`. */
  type: z.literal('challenge'),
  /** {@link NONCE_BYTES} random bytes, base64url. */
  nonce: z.string().regex(BASE64URL_32),
});
/** A validated challenge frame. */
export type ChallengeFrame = z.output<typeof challengeFrameSchema>;

/** A proof as it travels: an HMAC-SHA256, base64url (43 characters). */
export const proofSchema = z.string().regex(BASE64URL_32, { error: 'expected a proof (HMAC-SHA256, base64url)' });

/** A secret as bytes: a Buffer or Uint8Array as is, a string as its UTF-8. */
export function secretBytes(secret: string | Uint8Array): Buffer {
  return typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
}

/** A fresh nonce: {@link NONCE_BYTES} random bytes, base64url. */
export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

/** The challenge frame's text for `nonce`. */
export function challengeText(nonce: string): string {
  return JSON.stringify({ type: 'challenge', nonce } satisfies ChallengeFrame);
}

/** The proof that the holder of `secret` answers `nonce` for `purpose` and `subject`. */
export function proofOf(secret: Uint8Array, purpose: ProofPurpose, nonce: string, subject: string): string {
  return createHmac('sha256', secret).update(`${purpose}\u0000${nonce}\u0000${subject}`, 'utf8').digest('base64url');
}

/**
 * Whether `proof` is the proof of `secret` for this nonce, purpose and subject, in time independent of the
 * secret and of the proof (both sides are 32-byte MACs compared with `timingSafeEqual`).
 */
export function proofMatches(secret: Uint8Array, purpose: ProofPurpose, nonce: string, subject: string, proof: string): boolean {
  const expected = Buffer.from(proofOf(secret, purpose, nonce, subject), 'base64url');
  const presented = Buffer.from(proof, 'base64url');
  return presented.length === expected.length && timingSafeEqual(expected, presented);
}
