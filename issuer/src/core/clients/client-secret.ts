import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** Recognisable prefix, like `rt_` for refresh tokens, so secret scanners can find leaked ones. */
export const CLIENT_SECRET_PREFIX = 'cs_'
const SHAPE = /^cs_[A-Za-z0-9_-]{43}$/

/** A fresh client secret: the prefix plus 256 random bits. Shown once; only its hash is kept. */
export function newClientSecret(): string {
  return CLIENT_SECRET_PREFIX + randomBytes(32).toString('base64url')
}

/**
 * SHA-256, not scrypt: the secret is 256 random bits, so there is nothing to guess that a slow
 * hash would protect, and the token endpoint checks it on every client_credentials grant.
 */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function clientSecretMatches(presented: string, storedHash: string | null): boolean {
  if (storedHash === null || !SHAPE.test(presented)) return false
  const a = Buffer.from(hashClientSecret(presented), 'hex')
  const b = Buffer.from(storedHash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
