import { createLocalJWKSet, errors, type JWTPayload, jwtVerify } from 'jose'
import { IssuerError } from '../../errors.ts'
import type { Jwks, KeyRing } from '../../keys/key-ring.ts'
import type { Clock } from '../clock.ts'
import { ACCESS_TOKEN_TYP } from './access-token-signer.ts'

export interface AccessClaims extends JWTPayload {
  sub: string
  sid: string
  client_id: string
  roles: string[]
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessClaims>
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
  audience: string[]
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

  return {
    async verify(token) {
      if (token.length > MAX_TOKEN_BYTES) throw invalid('oversized')
      const now = deps.clock()
      try {
        const { payload } = await jwtVerify(token, keySetAt(now), {
          issuer: deps.issuer,
          audience: deps.audience,
          algorithms: ['RS256', 'ES256', 'EdDSA'],
          typ: ACCESS_TOKEN_TYP,
          requiredClaims: ['exp', 'iat', 'sub', 'sid'],
          clockTolerance: deps.clockSkewSec,
          currentDate: new Date(now),
        })
        if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw invalid('claims')
        return payload as AccessClaims
      } catch (err) {
        if (err instanceof IssuerError) throw err
        if (err instanceof errors.JWTExpired) {
          throw new IssuerError('token_expired', 'The access token has expired.')
        }
        throw invalid(err instanceof errors.JOSEError ? err.code : 'verify_failed')
      }
    },
  }
}
