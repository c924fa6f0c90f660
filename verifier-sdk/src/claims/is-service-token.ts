import type { AccessTokenClaims, ServiceAccessTokenClaims } from './access-token-claims.ts'

/**
 * Whether verified claims are a service's token (client_credentials: no `sid`, `sub` is the
 * `client_id`). `verify()` accepts a token without `sid` only in that form.
 */
export function isServiceToken(claims: AccessTokenClaims): claims is ServiceAccessTokenClaims {
  return claims.sid === undefined
}
