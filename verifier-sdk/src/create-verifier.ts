import type { AccessTokenClaims } from './claims/access-token-claims.ts'
import { checkClaims } from './claims/check-claims.ts'
import { VerifyError } from './errors.ts'
import { checkProtectedHeader } from './jws/check-protected-header.ts'
import { decodeJsonSegment } from './jws/decode-json-segment.ts'
import type { JwsAlgorithm } from './jws/jws-algorithm.ts'
import { splitCompactJws } from './jws/split-compact-jws.ts'
import { verifySignature } from './jws/verify-signature.ts'
import { createKeyCache } from './keys/key-cache.ts'
import { createLocalKeyCache } from './keys/local-key-cache.ts'
import { resolveVerifierOptions } from './resolve-verifier-options.ts'
import { createRevocationFollower, type RevocationFollower } from './revocation/create-revocation-follower.ts'
import type { FeedPayload } from './revocation/parse-feed-payload.ts'
import { createVerifiedResultCache } from './verified-result-cache.ts'
import type { VerifierOptions } from './verifier-options.ts'

export interface Verifier {
  /** Verifies an access token and returns its claims; throws `VerifyError` with a stable `code`. */
  verify(token: string): Promise<AccessTokenClaims>
  /** Resolves once keys are loaded (cache file or issuer), and the revocation feed read once when
   *  it is followed; rejects with `keys_unavailable`. */
  ready(): Promise<void>
  /** How many revocation entries the verifier holds (0 when the feed is not followed). */
  revocationEntries(): number
  /** Fetches the JWKS now (or re-reads `jwksFile`), sharing a fetch already under way. */
  refreshKeys(): Promise<void>
  /** Stops the background refresh timer and the revocation feed's connection. */
  close(): void
}

const MAX_CACHED_HEADERS = 256

/**
 * Creates a verifier of tokensmith access tokens that checks them from cached public keys alone.
 * Options are validated here, once; a bad option throws a TypeError naming it.
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const resolved = resolveVerifierOptions(options)
  const { clock, algorithms, maxTokenBytes } = resolved
  const results =
    resolved.cache === undefined
      ? undefined
      : createVerifiedResultCache(resolved.cache.maxEntries, resolved.cache.maxAgeSec)
  let knownKids: ReadonlySet<string> = new Set()
  const onKeysChanged = (kids: ReadonlySet<string>) => {
    knownKids = kids
    results?.retainKids(kids)
  }
  const { source } = resolved
  const keys =
    source.kind === 'remote'
      ? createKeyCache({
          issuer: source.issuer,
          jwksUri: source.jwksUri,
          algorithms,
          fetch: resolved.fetch,
          clock,
          minCacheSec: resolved.minCacheSec,
          maxCacheSec: resolved.maxCacheSec,
          cooldownSec: resolved.unknownKidCooldownSec,
          maxStaleSec: resolved.maxStaleSec,
          fetchTimeoutMs: resolved.fetchTimeoutMs,
          cacheFile: resolved.cacheFile,
          onKeysChanged,
          onWarning: resolved.onWarning,
        })
      : createLocalKeyCache(source, algorithms, onKeysChanged)
  // Key events from the feed: a published or promoted key not yet held is fetched at once (it is
  // then known before it signs), once per kid; a retired one makes the JWKS be fetched again.
  const asked = new Set<string>()
  const onKeyEvents = (events: FeedPayload['keys']) => {
    let refetch = false
    for (const e of events) {
      if (e.event === 'retired') {
        if (knownKids.has(e.kid)) {
          refetch = true
          results?.retainKids(new Set([...knownKids].filter((kid) => kid !== e.kid)))
        }
      } else if (!knownKids.has(e.kid) && !asked.has(e.kid)) {
        asked.add(e.kid)
        refetch = true
      }
    }
    if (refetch) keys.refresh().catch(() => {})
  }
  const follower: RevocationFollower | undefined =
    resolved.revocation === undefined
      ? undefined
      : createRevocationFollower({
          issuer: resolved.issuer,
          fetch: resolved.fetch,
          clock,
          keys,
          algorithms,
          fetchTimeoutMs: resolved.fetchTimeoutMs,
          options: resolved.revocation,
          onWarning: resolved.onWarning,
          onKeyEvents,
        })
  // Accepted headers by their base64url text: every token of one key shares its header, so the
  // header is decoded and checked once. Bounded, and only headers that passed the checks enter.
  const headers = new Map<string, { readonly alg: JwsAlgorithm; readonly kid: string }>()
  function checkedHeader(segment: string): { readonly alg: JwsAlgorithm; readonly kid: string } {
    const known = headers.get(segment)
    if (known !== undefined) return known
    const checked = checkProtectedHeader(decodeJsonSegment(segment, 'header'), algorithms)
    if (headers.size >= MAX_CACHED_HEADERS) headers.clear()
    headers.set(segment, checked)
    return checked
  }
  const rules = {
    issuer: resolved.issuer,
    audiences: resolved.audiences,
    clockToleranceSec: resolved.clockToleranceSec,
  }

  async function verify(token: string): Promise<AccessTokenClaims> {
    if (typeof token !== 'string' || token.length === 0) {
      throw new VerifyError('missing_token', { reason: 'missing', detail: 'no token was given' })
    }
    // Before any decoding or RSA work. A valid token is ASCII, so characters are bytes here.
    if (token.length > maxTokenBytes) {
      throw new VerifyError('invalid_token', { reason: 'oversized', detail: 'token exceeds maxTokenBytes' })
    }
    const now = clock()
    if (results !== undefined) {
      const hit = results.get(token, now)
      // A hit still needs its key present and usable: a retired key or keys stale past maxStaleSec
      // end it (and the lookup drives the background refresh even when every request is a hit).
      // The feed is checked on a hit too: a cached result never outlives a revocation.
      if (hit !== undefined) {
        follower?.checkKey(hit.kid, now)
        if (keys.find(hit.kid, hit.alg, now) !== undefined) {
          follower?.check(hit.claims, now)
          return hit.claims
        }
      }
    }
    const jws = splitCompactJws(token)
    const { alg, kid } = checkedHeader(jws.headerSegment)
    // Before the key lookup: a key the feed retired may be leaving the key cache right now, and
    // its tokens must not wait for (or cause) an unknown-kid refetch.
    follower?.checkKey(kid, now)
    const key = keys.find(kid, alg, now) ?? (await keys.resolve(kid, alg))
    if (!(await verifySignature(alg, key, jws.signingInput, jws.signature))) {
      throw new VerifyError('invalid_token', { reason: 'bad_signature', detail: 'signature does not verify' })
    }
    // The payload is parsed only once its signature has verified.
    const verifiedAt = clock()
    const claims = checkClaims(decodeJsonSegment(jws.payloadSegment, 'payload'), rules, verifiedAt)
    follower?.check(claims, verifiedAt)
    results?.set(token, { kid, alg, claims }, verifiedAt)
    return claims
  }

  return {
    verify,
    async ready() {
      await keys.ready()
      await follower?.ready()
    },
    refreshKeys: () => keys.refresh(),
    revocationEntries: () => follower?.size ?? 0,
    close() {
      keys.close()
      follower?.close()
    },
  }
}
