import { createHash, randomBytes } from 'node:crypto'
import type { RandomBytes } from './random-source.ts'

/** Recognisable prefix so secret scanners can find leaked refresh tokens. */
export const REFRESH_TOKEN_PREFIX = 'rt_'
const SHAPE = /^rt_[A-Za-z0-9_-]{43}$/

/** A fresh opaque refresh token: the prefix plus 256 random bits, base64url. */
export function newRefreshToken(random: RandomBytes = randomBytes): string {
  return REFRESH_TOKEN_PREFIX + random(32).toString('base64url')
}

export function isRefreshTokenShape(value: string): boolean {
  return SHAPE.test(value)
}

/** What the store keeps instead of the token: a dump of the database yields no usable token. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}
