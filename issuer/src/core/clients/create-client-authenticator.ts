import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose'
import { OAuthError } from '../../errors.ts'
import type { Clock } from '../clock.ts'
import { ASSERTION_ALGORITHMS, type ClientCredentials } from './client-credentials.ts'
import type { ClientRecord } from './client-record.ts'
import { clientSecretMatches } from './client-secret.ts'
import type { ClientStore } from './client-store.ts'

export interface ClientAuthenticator {
  /**
   * The registered client the credentials prove, or OAuthError('invalid_client'). `endpoint` is
   * the URL called: a client assertion may name it, the token endpoint or the issuer as `aud`.
   */
  authenticate(credentials: ClientCredentials, endpoint: string): Promise<ClientRecord>
}

/** An assertion is a one-time proof: it may not be valid for longer than this (RFC 7523 §3 "short"). */
const MAX_ASSERTION_LIFETIME_SEC = 300
const ASSERTION_CLOCK_TOLERANCE_SEC = 5
const MAX_ASSERTION_CHARS = 8192
const MAX_JTI_CHARS = 256
/** Remote JWKS key sets kept, one per client and URL: bounded so a churn of clients cannot grow it. */
const MAX_REMOTE_KEY_SETS = 1000

export function createClientAuthenticator(deps: {
  store: ClientStore
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

  const refused = (credentials: ClientCredentials, detail: string) =>
    new OAuthError('invalid_client', 'Client authentication failed.', {
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

  async function verifyAssertion(
    credentials: Extract<ClientCredentials, { method: 'private_key_jwt' }>,
    endpoint: string,
  ): Promise<ClientRecord> {
    const { assertion } = credentials
    if (assertion.length > MAX_ASSERTION_CHARS) throw refused(credentials, 'assertion_oversized')
    let claimedId: unknown
    try {
      claimedId = decodeJwt(assertion).sub
    } catch {
      throw refused(credentials, 'assertion_malformed')
    }
    if (typeof claimedId !== 'string' || claimedId.length === 0)
      throw refused(credentials, 'assertion_no_sub')
    if (credentials.clientId !== null && credentials.clientId !== claimedId) {
      throw refused(credentials, 'assertion_sub_mismatch')
    }
    const client = await store.getClient(claimedId)
    if (client === null || client.disabled) throw refused(credentials, 'unknown_client')
    const keySet = keySetOf(client)
    if (keySet === null) throw refused(credentials, 'no_registered_keys')
    const now = clock()
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload']
    try {
      ;({ payload } = await jwtVerify(assertion, keySet, {
        algorithms: [...ASSERTION_ALGORITHMS],
        issuer: client.id,
        subject: client.id,
        audience: [...new Set([deps.tokenEndpoint, deps.issuer, endpoint])],
        requiredClaims: ['exp', 'jti'],
        clockTolerance: ASSERTION_CLOCK_TOLERANCE_SEC,
        currentDate: new Date(now),
      }))
    } catch (err) {
      throw refused(
        credentials,
        err instanceof errors.JOSEError ? `assertion_${err.code}` : 'assertion_invalid',
      )
    }
    const exp = payload.exp as number
    if (exp > now / 1000 + MAX_ASSERTION_LIFETIME_SEC + ASSERTION_CLOCK_TOLERANCE_SEC) {
      throw refused(credentials, 'assertion_lifetime_too_long')
    }
    const jti = payload.jti
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_CHARS) {
      throw refused(credentials, 'assertion_bad_jti')
    }
    // Recorded only once the signature holds, so forged assertions cannot fill the store.
    const firstUse = await store.rememberOnce(`assertion:${client.id}:${jti}`, exp * 1000, now)
    if (!firstUse) throw refused(credentials, 'assertion_replayed')
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
      const client = await store.getClient(credentials.clientId)
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
