import { VerifyError } from '../errors.ts'
import { requiredValues } from '../middleware/required-values.ts'
import type { AccessTokenClaims } from './access-token-claims.ts'
import { isServiceToken } from './is-service-token.ts'

/**
 * What a route demands of the verified token: any one of `roles` (users' tokens only), or every
 * one of `scopes` (users' and services' tokens alike).
 */
export type Requirement = { readonly roles: readonly string[] } | { readonly scopes: readonly string[] }

/** A requirement ready to check each request's claims against; framework-neutral. */
export interface Authorizer {
  /**
   * Throws `missing_token` when no verified claims are present (the auth middleware did not run),
   * else `insufficient_role` or `insufficient_scope` (403) unless the claims meet the requirement
   * (a service's token always gets `insufficient_role`).
   */
  check(claims: AccessTokenClaims | undefined): void
  /** The RFC 6750 `scope` attribute of a refusal's challenge: the scopes required, if any. */
  readonly challengeScope: string | undefined
}

/**
 * The one authorization step under `requireRole` and `requireScope` of every framework. The
 * values are validated here, once, at route definition (TypeError naming the factory).
 */
export function authorize(requirement: Requirement): Authorizer {
  if ('roles' in requirement) {
    const roles = requiredValues('requireRole', requirement.roles)
    return {
      check(claims) {
        const held = granted(claims)
        // Roles are a user's: a service's token never passes a role check, whatever it holds.
        if (isServiceToken(held) || !held.roles.some((role) => roles.includes(role))) {
          throw new VerifyError('insufficient_role', {
            claim: 'roles',
            reason: 'not_granted',
            detail: isServiceToken(held)
              ? 'a service token holds no role'
              : 'token lacks every required role',
          })
        }
      },
      challengeScope: undefined,
    }
  }
  const scopes = requiredValues('requireScope', requirement.scopes)
  return {
    check(claims) {
      const held = new Set((granted(claims).scope ?? '').split(' '))
      if (!scopes.every((scope) => held.has(scope))) {
        throw new VerifyError('insufficient_scope', {
          claim: 'scope',
          reason: 'not_granted',
          detail: 'token lacks a required scope',
        })
      }
    },
    challengeScope: scopes.join(' '),
  }
}

function granted(claims: AccessTokenClaims | undefined): AccessTokenClaims {
  if (claims === undefined) {
    throw new VerifyError('missing_token', { reason: 'missing', detail: 'no verified token on this request' })
  }
  return claims
}
