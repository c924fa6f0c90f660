import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { OAuthError } from '../../errors.ts'
import type { Clock } from '../clock.ts'
import type { Store } from '../store.ts'
import { CLIENTS } from './client-collection.ts'
import { ASSERTION_ALGORITHMS, type ClientCredentials } from './client-credentials.ts'
import type { ClientRecord } from './client-record.ts'
import { clientSecretMatches } from './client-secret.ts'

export interface ClientAuthenticator {
  /**
   * The registered client the credentials prove, or OAuthError('invalid_client'). `endpoint` is
   * the URL called: a client assertion may name it, the token endpoint or the issuer as `aud`.
   */
  authenticate(credentials: ClientCredentials, endpoint: string): Promise<ClientRecord>
}

/**
 * How far ahead an assertion's `exp` may be. RFC 7523 §3 asks for a short lifetime without a
 * figure; client libraries differ (authlib signs for an hour), and the `jti` is remembered until
 * `exp`, so a replay within that hour is refused on every store.
 */
const MAX_ASSERTION_LIFETIME_SEC = 3600
const ASSERTION_CLOCK_TOLERANCE_SEC = 5
const MAX_ASSERTION_CHARS = 8192
const MAX_JTI_CHARS = 256
/** Remote JWKS key sets kept, one per client and URL: bounded so a churn of clients cannot grow it. */
const MAX_REMOTE_KEY_SETS = 1000

/**
 * What a refused client is told. A secret that does not match and a client that does not exist
 * answer the same sentence, so the endpoint does not say which ids are registered; an assertion's
 * refusals name their reason, and the ones found before any key is looked up (expiry, audience)
 * are the same whether or not the client exists.
 */
const REFUSAL = {
  credentials: 'Client authentication failed: the client is unknown or its credentials are wrong.',
  malformed: 'The client assertion is not a signed JWT.',
  oversized: `The client assertion is longer than ${MAX_ASSERTION_CHARS} characters.`,
  no_sub: 'The client assertion has no sub claim naming the client.',
  sub_mismatch: 'The client assertion sub does not match the client_id parameter.',
  iss_mismatch: 'The client assertion iss must be the client_id, as its sub (RFC 7523 section 3).',
  algorithm: `The client assertion must be signed with ${ASSERTION_ALGORITHMS.join(', ')}.`,
  no_exp: 'The client assertion has no exp claim.',
  expired: 'The client assertion has expired.',
  not_yet_valid: 'The client assertion is not valid yet (nbf or iat in the future).',
  too_far_ahead: `The client assertion expires too far ahead: at most ${MAX_ASSERTION_LIFETIME_SEC} seconds.`,
  audience: 'The client assertion aud must be the token endpoint or the issuer.',
  no_jti: 'The client assertion has no usable jti claim.',
  unknown_key: 'The client assertion is signed with a key not registered for this client.',
  bad_signature: 'The client assertion signature does not verify.',
  replayed: 'The client assertion was already used: send a new one with a new jti.',
} as const

export function createClientAuthenticator(deps: {
  store: Pick<Store, 'records' | 'rememberOnce'>
  clock: Clock
  /** The issuer's URL (`iss`), a valid assertion `aud`. */
  issuer: string
  /** The token endpoint's URL, a valid assertion `aud` wherever the assertion is used. */
  tokenEndpoint: string
  /**
   * How long a client that just authenticated may be taken from memory instead of the store
   * (default 0: always the store). Only a success is remembered, and a secret that does not match
   * the remembered record is checked against the store again, so a rotated secret works at once;
   * a disabled or removed client is refused within this time.
   */
  acceptedForMs?: number
}): ClientAuthenticator {
  const { store, clock } = deps
  const acceptedForMs = deps.acceptedForMs ?? 0
  const accepted = new Map<string, { client: ClientRecord; until: number }>()
  const remoteKeySets = new Map<string, JWTVerifyGetKey>()

  const refused = (credentials: ClientCredentials, detail: string, message: string = REFUSAL.credentials) =>
    new OAuthError('invalid_client', message, {
      detail,
      basicChallenge: credentials.method === 'client_secret_basic',
    })

  function keySetOf(client: ClientRecord): JWTVerifyGetKey | null {
    if (client.jwks !== null)
      return createLocalJWKSet({ keys: client.jwks.keys.flatMap(withEd25519Alias) } as JSONWebKeySet)
    if (client.jwksUri === null) return null
    const cacheKey = `${client.id} ${client.jwksUri}`
    let keySet = remoteKeySets.get(cacheKey)
    if (keySet === undefined) {
      if (remoteKeySets.size >= MAX_REMOTE_KEY_SETS) remoteKeySets.clear()
      keySet = createRemoteJWKSet(new URL(client.jwksUri), {
        timeoutDuration: 5000,
        cooldownDuration: 30_000,
        cacheMaxAge: 600_000,
      })
      remoteKeySets.set(cacheKey, keySet)
    }
    return keySet
  }

  /**
   * RFC 7523 §3, in an order that tells nothing about which clients exist: the claims that need no
   * key first, then the client's keys and the signature, then the one use of the `jti`.
   */
  async function verifyAssertion(
    credentials: Extract<ClientCredentials, { method: 'private_key_jwt' }>,
    endpoint: string,
  ): Promise<ClientRecord> {
    const { assertion } = credentials
    const refuse = (detail: keyof typeof REFUSAL) =>
      refused(credentials, `assertion_${detail}`, REFUSAL[detail])
    if (assertion.length > MAX_ASSERTION_CHARS) throw refuse('oversized')
    let claims: ReturnType<typeof decodeJwt>
    let alg: unknown
    try {
      claims = decodeJwt(assertion)
      alg = decodeProtectedHeader(assertion).alg
    } catch {
      throw refuse('malformed')
    }
    const claimedId = claims.sub
    if (typeof claimedId !== 'string' || claimedId.length === 0) throw refuse('no_sub')
    if (credentials.clientId !== null && credentials.clientId !== claimedId) throw refuse('sub_mismatch')
    if (claims.iss !== claimedId) throw refuse('iss_mismatch')
    if (typeof alg !== 'string' || !(ASSERTION_ALGORITHMS as readonly string[]).includes(alg)) {
      throw refuse('algorithm')
    }
    const nowSec = clock() / 1000
    const exp = claims.exp
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw refuse('no_exp')
    if (exp <= nowSec - ASSERTION_CLOCK_TOLERANCE_SEC) throw refuse('expired')
    if (exp > nowSec + MAX_ASSERTION_LIFETIME_SEC + ASSERTION_CLOCK_TOLERANCE_SEC)
      throw refuse('too_far_ahead')
    for (const notBefore of [claims.nbf, claims.iat]) {
      if (
        notBefore !== undefined &&
        (typeof notBefore !== 'number' || notBefore > nowSec + ASSERTION_CLOCK_TOLERANCE_SEC)
      ) {
        throw refuse('not_yet_valid')
      }
    }
    const audiences = new Set([deps.tokenEndpoint, deps.issuer, endpoint])
    const aud = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? [])
    if (!aud.some((a) => audiences.has(a))) throw refuse('audience')
    const jti = claims.jti
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_CHARS) throw refuse('no_jti')

    const client = await store.records.get(CLIENTS, { id: claimedId })
    const keySet = client === null || client.disabled ? null : keySetOf(client)
    if (client === null || keySet === null) throw refuse('unknown_key')
    try {
      await jwtVerify(assertion, keySet, {
        algorithms: [...ASSERTION_ALGORITHMS],
        issuer: client.id,
        subject: client.id,
        audience: [...audiences],
        requiredClaims: ['exp', 'jti'],
        clockTolerance: ASSERTION_CLOCK_TOLERANCE_SEC,
        currentDate: new Date(clock()),
      })
    } catch (err) {
      if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
        throw refuse('unknown_key')
      }
      if (err instanceof errors.JWSSignatureVerificationFailed) throw refuse('bad_signature')
      // The claims were checked above; what is left is a key set that could not be read.
      throw refused(
        credentials,
        `assertion_${err instanceof errors.JOSEError ? err.code : 'invalid'}`,
        REFUSAL.unknown_key,
      )
    }
    // Recorded only once the signature holds, so forged assertions cannot fill the store; kept
    // while the assertion could still be accepted, the clock tolerance included.
    const firstUse = await store.rememberOnce(
      `assertion:${client.id}:${jti}`,
      (exp + ASSERTION_CLOCK_TOLERANCE_SEC) * 1000,
      clock(),
    )
    if (!firstUse) throw refuse('replayed')
    return client
  }

  /** The secret or public-id check against one record; null when it holds. */
  function refusalOf(
    client: ClientRecord | null,
    credentials: Exclude<ClientCredentials, { method: 'private_key_jwt' }>,
  ): string | null {
    if (client === null || client.disabled) return 'unknown_client'
    // A confidential client must prove itself; naming it is not enough.
    if (credentials.method === 'none')
      return client.type === 'public' ? null : 'confidential_client_without_credentials'
    if (client.type !== 'confidential') return 'public_client_with_secret'
    const now = clock()
    const previousLive = client.previousSecretExpiresAt !== null && now < client.previousSecretExpiresAt
    // Both compared, always: which one matched must not show in the timing.
    const current = clientSecretMatches(credentials.secret, client.secretHash)
    const previous = clientSecretMatches(credentials.secret, previousLive ? client.previousSecretHash : null)
    return current || previous ? null : 'bad_secret'
  }

  return {
    async authenticate(credentials, endpoint) {
      if (credentials.method === 'private_key_jwt') return verifyAssertion(credentials, endpoint)
      const now = clock()
      const remembered = accepted.get(credentials.clientId)
      if (
        remembered !== undefined &&
        now < remembered.until &&
        refusalOf(remembered.client, credentials) === null
      ) {
        return remembered.client
      }
      const client = await store.records.get(CLIENTS, { id: credentials.clientId })
      const refusal = refusalOf(client, credentials)
      if (refusal !== null || client === null) throw refused(credentials, refusal ?? 'unknown_client')
      if (acceptedForMs > 0) {
        if (accepted.size >= MAX_REMOTE_KEY_SETS) accepted.clear()
        accepted.set(client.id, { client, until: now + acceptedForMs })
      }
      return client
    },
  }
}

/**
 * An Ed25519 key registered as `"alg": "EdDSA"` also verifies assertions that name it
 * `"Ed25519"` (RFC 9864's fully-specified name, which openid-client and oauth4webapi use), and
 * the other way round: the same key and signature scheme under either name.
 */
function withEd25519Alias(jwk: Record<string, unknown>): Record<string, unknown>[] {
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || (jwk.alg !== 'EdDSA' && jwk.alg !== 'Ed25519'))
    return [jwk]
  return [jwk, { ...jwk, alg: jwk.alg === 'EdDSA' ? 'Ed25519' : 'EdDSA' }]
}
