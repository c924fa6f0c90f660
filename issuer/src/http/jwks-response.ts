import { createHash } from 'node:crypto'
import type { KeyRing } from '../keys/key-ring.ts'

export interface JwksResponse {
  body: string
  etag: string
}

/** The JWKS document for an instant, re-serialised only when the published key set changes. */
export function createJwksResponder(keyRing: KeyRing): (now: number) => JwksResponse {
  let last: JwksResponse | undefined
  let lastKids = ''
  return (now) => {
    const jwks = keyRing.jwks(now)
    const kids = jwks.keys.map((k) => k.kid).join(',')
    if (!last || kids !== lastKids) {
      const body = JSON.stringify(jwks)
      last = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"` }
      lastKids = kids
    }
    return last
  }
}

/** RFC 9110 weak comparison: `If-None-Match` may list several tags, `W/` prefixed or `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '')
    return tag === '*' || tag === etag
  })
}
