import { VerifyError } from '../errors.ts'
import type { AccessTokenClaims } from './access-token-claims.ts'

/**
 * The authorization step shared by the middlewares. `roles`: the token must hold at least one of
 * them. `scopes`: the token's `scope` must contain every one of them. Throws `missing_token` when
 * no verified claims are present (the auth middleware did not run), else `insufficient_role` or
 * `insufficient_scope` (403).
 */
export function authorizeClaims(
  claims: AccessTokenClaims | undefined,
  requirement: { readonly roles: readonly string[] } | { readonly scopes: readonly string[] },
): void {
  if (claims === undefined) {
    throw new VerifyError('missing_token', { reason: 'missing', detail: 'no verified token on this request' })
  }
  if ('roles' in requirement) {
    if (!requirement.roles.some((role) => claims.roles.includes(role))) {
      throw new VerifyError('insufficient_role', {
        claim: 'roles',
        reason: 'not_granted',
        detail: 'token lacks every required role',
      })
    }
    return
  }
  const granted = new Set((claims.scope ?? '').split(' '))
  if (!requirement.scopes.every((scope) => granted.has(scope))) {
    throw new VerifyError('insufficient_scope', {
      claim: 'scope',
      reason: 'not_granted',
      detail: 'token lacks a required scope',
    })
  }
}
