import { createHash, randomBytes } from 'node:crypto'
import type { RandomBytes } from '../tokens/random-source.ts'

/** An authorization code lives this long (RFC 6749 §4.1.2 recommends at most ten minutes). */
export const AUTHORIZATION_CODE_TTL_SEC = 60
const SHAPE = /^[A-Za-z0-9_-]{43}$/

/** A fresh code: 256 random bits, base64url. The store keeps only its hash. */
export function newAuthorizationCode(random: RandomBytes = randomBytes): string {
  return random(32).toString('base64url')
}

export function isAuthorizationCodeShape(value: string): boolean {
  return SHAPE.test(value)
}

export function hashAuthorizationCode(code: string): string {
  return createHash('sha256').update(code).digest('hex')
}
