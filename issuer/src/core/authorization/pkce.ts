// PKCE (RFC 7636): only S256 is accepted, for every client (RFC 9700 §2.1.1); `plain` would let a
// stolen code be redeemed by whoever also saw the authorization request.
import { createHash, timingSafeEqual } from 'node:crypto'

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/
/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)), always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

export function isS256Challenge(value: string): boolean {
  return S256_CHALLENGE.test(value)
}

/** RFC 7636 §4.6: whether `verifier` hashes to `challenge`, compared in constant time. */
export function pkceS256Matches(verifier: string | undefined, challenge: string): boolean {
  if (verifier === undefined || !VERIFIER.test(verifier) || !S256_CHALLENGE.test(challenge)) return false
  const computed = createHash('sha256').update(verifier, 'ascii').digest()
  const expected = Buffer.from(challenge, 'base64url')
  return computed.length === expected.length && timingSafeEqual(computed, expected)
}
