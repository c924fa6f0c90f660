import { decodeJsonSegment } from '../jws/decode-json-segment.ts'
import type { JwsAlgorithm } from '../jws/jws-algorithm.ts'
import { splitCompactJws } from '../jws/split-compact-jws.ts'
import { verifySignature } from '../jws/verify-signature.ts'
import type { KeyCache } from '../keys/key-cache.ts'
import { type FeedPayload, parseFeedPayload } from './parse-feed-payload.ts'

/** The feed's own JWS `typ` (RFC 8725 §3.11): an access token can never pass for a feed, nor the reverse. */
export const REVOCATION_FEED_TYP = 'revocation-feed+jwt'

/** Bounds the document before any decoding (a feed of one access-token lifetime of logouts fits). */
export const MAX_FEED_DOCUMENT_CHARS = 64 * 1024 * 1024

const KEY_REFERENCES = ['jku', 'jwk', 'x5u', 'x5c', 'crit'] as const

/**
 * Verifies a feed document with the verifier's own keys and rules: compact JWS, `alg` among the
 * allowed ones, `typ` pinned, no key carried or referenced, signature by a key of the issuer's
 * JWKS, then the payload checked member by member (`iss` exactly the issuer). Throws otherwise.
 */
export async function verifyFeedDocument(
  jws: string,
  deps: { keys: KeyCache; algorithms: readonly JwsAlgorithm[]; issuer: string; clock: () => number },
): Promise<FeedPayload> {
  if (jws.length > MAX_FEED_DOCUMENT_CHARS) throw new Error('feed document too large')
  const parts = splitCompactJws(jws)
  const header = decodeJsonSegment(parts.headerSegment, 'header')
  const { alg, typ, kid } = header
  if (typeof alg !== 'string' || !(deps.algorithms as readonly string[]).includes(alg)) {
    throw new Error('feed alg is not allowed')
  }
  if (typeof typ !== 'string' || typ.toLowerCase() !== REVOCATION_FEED_TYP)
    throw new Error('feed typ is wrong')
  if (KEY_REFERENCES.some((name) => Object.hasOwn(header, name))) throw new Error('feed header refused')
  if (typeof kid !== 'string' || kid.length === 0) throw new Error('feed kid is missing')
  const algorithm = alg as JwsAlgorithm
  const key = deps.keys.find(kid, algorithm, deps.clock()) ?? (await deps.keys.resolve(kid, algorithm))
  if (!(await verifySignature(algorithm, key, parts.signingInput, parts.signature))) {
    throw new Error('feed signature does not verify')
  }
  return parseFeedPayload(decodeJsonSegment(parts.payloadSegment, 'payload'), deps.issuer)
}
