import * as crypto from 'node:crypto'
import type { AccessTokenClaims } from './claims/access-token-claims.ts'
import type { JwsAlgorithm } from './jws/jws-algorithm.ts'

export interface VerifiedResult {
  readonly kid: string
  readonly alg: JwsAlgorithm
  readonly claims: AccessTokenClaims
}

export interface VerifiedResultCache {
  /** A token verified before, while its entry is valid. */
  get(token: string, now: number): VerifiedResult | undefined
  set(token: string, result: VerifiedResult, now: number): void
  /** Drops every entry whose key is no longer in the key set. */
  retainKids(kids: ReadonlySet<string>): void
  readonly size: number
}

interface Entry extends VerifiedResult {
  readonly until: number
}

type Sha256 = (token: string) => string
// crypto.hash (Node >= 20.12) is the fast one-shot; createHash for older 20.x.
const sha256: Sha256 =
  typeof crypto.hash === 'function'
    ? (token) => crypto.hash('sha256', token, 'base64')
    : (token) => crypto.createHash('sha256').update(token).digest('base64')

/**
 * Remembers verified tokens. The key is the SHA-256 of the whole token, signature included, so a
 * token with a forged signature never hits an entry of the genuine one. An entry lives until the
 * token's `exp` or `maxAgeSec` after it was verified, whichever is first; the oldest entry goes
 * when `maxEntries` is reached.
 */
export function createVerifiedResultCache(maxEntries: number, maxAgeSec: number): VerifiedResultCache {
  const entries = new Map<string, Entry>()
  const maxAgeMs = maxAgeSec * 1000
  return {
    get(token, now) {
      const id = sha256(token)
      const entry = entries.get(id)
      if (entry === undefined) return undefined
      if (now < entry.until) return entry
      entries.delete(id)
      return undefined
    },
    set(token, result, now) {
      const until = Math.min(result.claims.exp * 1000, now + maxAgeMs)
      if (until <= now) return
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next()
        if (oldest.done !== true) entries.delete(oldest.value)
      }
      entries.set(sha256(token), { ...result, until })
    },
    retainKids(kids) {
      for (const [id, entry] of entries) if (!kids.has(entry.kid)) entries.delete(id)
    },
    get size() {
      return entries.size
    },
  }
}
