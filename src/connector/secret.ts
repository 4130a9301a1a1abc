import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The SHA-256 digest of a secret (key or token). Secrets are kept and compared only as digests: equal length,
 * so `timingSafeEqual` applies and neither content nor length leaks through timing.
 */
export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Whether `presented` is the secret whose digest is `expected`, in time independent of both. */
export function secretMatches(expected: Buffer, presented: string): boolean {
  return timingSafeEqual(expected, secretDigest(presented));
}
