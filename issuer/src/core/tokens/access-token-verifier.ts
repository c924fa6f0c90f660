import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from 'jose'
import { IssuerError } from '../../errors.ts'
import type { Jwks, KeyRing } from '../../keys/key-ring.ts'
import type { Clock } from '../clock.ts'
import { ACCESS_TOKEN_TYP } from './access-token-signer.ts'

/** Any access token this issuer signed: a user's (with `sid`) or a service's (without). */
export interface IssuedClaims extends JWTPayload {
  sub: string
  sid?: string
  client_id: string
  roles?: string[]
  scope?: string
  /** How a user authenticated (RFC 9068 §2.2.1); absent from a service's token. */
  acr?: string
  amr?: string[]
  /** Seconds since the epoch. */
  auth_time?: number
}

/** A user's access token: `sid` is its session. */
export interface AccessClaims extends IssuedClaims {
  sid: string
  roles: string[]
}

export interface AccessTokenVerifier {
  /** A user's token for one of the verifier's audiences (any, when it has none). */
  verify(token: string): Promise<AccessClaims>
  /** Any token this issuer signed, whatever its audience (revocation, introspection). */
  inspect(token: string): Promise<IssuedClaims>
}

const MAX_TOKEN_BYTES = 8192

/**
 * The issuer's own check of Bearer tokens (logout-all, sessions): jose against the key ring in
 * memory, with rules for the tokens this issuer signs (its algorithms, `typ` at+jwt, its issuer
 * and audiences, exp, iat, sub and sid required, CLOCK_SKEW tolerance). It is not the SDK's
 * verifier, whose rules are its own: the issuer does not depend on the SDK.
 */
export function createAccessTokenVerifier(deps: {
  keyRing: KeyRing
  issuer: string
  /** Accepted audiences; undefined accepts any (the issuer checks its own tokens' audience itself). */
  audience?: string[]
  clockSkewSec: number
  clock: Clock
}): AccessTokenVerifier {
  let cached: { jwks: Jwks; json: string; keySet: ReturnType<typeof createLocalJWKSet> } | undefined
  const keySetAt = (now: number) => {
    const jwks = deps.keyRing.jwks(now)
    const json = JSON.stringify(jwks)
    if (cached?.json !== json) cached = { jwks, json, keySet: createLocalJWKSet(jwks) }
    return cached.keySet
  }
  const invalid = (detail: string) =>
    new IssuerError('invalid_token', 'The access token is not valid.', { detail })

  async function check(
    token: string,
    audience: string[] | undefined,
    claims: string[],
    toleranceSec: number,
  ): Promise<IssuedClaims> {
    if (token.length > MAX_TOKEN_BYTES) throw invalid('oversized')
    const now = deps.clock()
    try {
      const { payload } = await jwtVerify(token, keySetAt(now), {
        issuer: deps.issuer,
        ...(audience === undefined ? {} : { audience }),
        algorithms: ['RS256', 'ES256', 'EdDSA'],
        typ: ACCESS_TOKEN_TYP,
        requiredClaims: ['exp', 'iat', 'sub', ...claims],
        clockTolerance: toleranceSec,
        currentDate: new Date(now),
      })
      if (typeof payload.sub !== 'string' || typeof payload.client_id !== 'string') throw invalid('claims')
      if (payload.sid !== undefined && typeof payload.sid !== 'string') throw invalid('claims')
      // Typed as IssuedClaims says, so a route that reads them (a recent login) may trust the type.
      if (payload.acr !== undefined && typeof payload.acr !== 'string') throw invalid('claims')
      if (payload.auth_time !== undefined && typeof payload.auth_time !== 'number') throw invalid('claims')
      if (
        payload.amr !== undefined &&
        !(Array.isArray(payload.amr) && payload.amr.every((v) => typeof v === 'string'))
      )
        throw invalid('claims')
      return payload as IssuedClaims
    } catch (err) {
      if (err instanceof IssuerError) throw err
      if (err instanceof errors.JWTExpired) {
        throw new IssuerError('token_expired', 'The access token has expired.')
      }
      throw invalid(err instanceof errors.JOSEError ? err.code : 'verify_failed')
    }
  }

  return {
    async verify(token) {
      const claims = await check(token, deps.audience, ['sid'], deps.clockSkewSec)
      if (typeof claims.sid !== 'string') throw invalid('claims')
      return { ...claims, sid: claims.sid, roles: Array.isArray(claims.roles) ? claims.roles : [] }
    },
    // The issuer's own clock decides: a token past `exp` is not active (RFC 7662 §2.2).
    inspect: (token) => check(token, undefined, [], 0),
  }
}
