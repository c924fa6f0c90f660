import type { AccessTokenClaims, UserAccessTokenClaims } from './access-token-claims.ts'

/** Whether verified claims are a user's token: issued from a session, so `sid` is present. */
export function isUserToken(claims: AccessTokenClaims): claims is UserAccessTokenClaims {
  return typeof claims.sid === 'string'
}
