import { VerifyError } from '../errors.ts'
import type { Challenge } from '../middleware/auth-error-response.ts'
import { requiredValues } from '../middleware/required-values.ts'
import type { AccessTokenClaims } from './access-token-claims.ts'
import { isServiceToken } from './is-service-token.ts'

/**
 * What a route demands of the verified token: any one of `roles` (users' tokens only), every one
 * of `scopes` (users' and services' tokens alike), an `acr` among `acrValues`, or an `auth_time`
 * at most `maxAgeSec` before `clock()` (the last two: RFC 9470, users' tokens only).
 */
export type Requirement =
  | { readonly roles: readonly string[] }
  | { readonly scopes: readonly string[] }
  | { readonly acrValues: readonly string[] }
  | { readonly maxAgeSec: number; readonly clock: () => number }

/** A requirement ready to check each request's claims against; framework-neutral. */
export interface Authorizer {
  /**
   * Throws `missing_token` when no verified claims are present (the auth middleware did not run),
   * else `insufficient_role` or `insufficient_scope` (403), or `insufficient_user_authentication`
   * (401), unless the claims meet the requirement (a service's token always gets
   * `insufficient_role`, and `insufficient_user_authentication`: no user authenticated).
   */
  check(claims: AccessTokenClaims | undefined): void
  /** The attributes of a refusal's challenge: `scope` (RFC 6750), `acr_values` or `max_age` (RFC 9470). */
  readonly challenge: Challenge
}

/**
 * The one authorization step under `requireRole`, `requireScope`, `requireAcr` and
 * `requireAuthTime` of every framework. The values are validated here, once, at route definition
 * (TypeError naming the factory).
 */
export function authorize(requirement: Requirement): Authorizer {
  if ('roles' in requirement) return roleAuthorizer(requirement.roles)
  if ('scopes' in requirement) return scopeAuthorizer(requirement.scopes)
  if ('acrValues' in requirement) return acrAuthorizer(requirement.acrValues)
  return authTimeAuthorizer(requirement.maxAgeSec, requirement.clock)
}

function roleAuthorizer(required: readonly string[]): Authorizer {
  const roles = requiredValues('requireRole', required)
  return {
    check(claims) {
      const held = granted(claims)
      // Roles are a user's: a service's token never passes a role check, whatever it holds.
      if (isServiceToken(held) || !held.roles.some((role) => roles.includes(role))) {
        throw new VerifyError('insufficient_role', {
          claim: 'roles',
          reason: 'not_granted',
          detail: isServiceToken(held) ? 'a service token holds no role' : 'token lacks every required role',
        })
      }
    },
    challenge: {},
  }
}

function scopeAuthorizer(required: readonly string[]): Authorizer {
  const scopes = requiredValues('requireScope', required)
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
    challenge: { scope: scopes.join(' ') },
  }
}

/**
 * Exactly the listed classes pass: acr values are names, not levels, to a resource server (RFC
 * 9470 section 3 has it list every acceptable one), so "mfa or stronger" lists both.
 */
function acrAuthorizer(required: readonly string[]): Authorizer {
  if (!Array.isArray(required)) throw new TypeError('requireAcr: "values" must be a list of acr values')
  const values = requiredValues('requireAcr', required)
  return {
    check(claims) {
      const { acr } = granted(claims)
      if (typeof acr !== 'string' || !values.includes(acr)) {
        throw new VerifyError('insufficient_user_authentication', {
          claim: 'acr',
          reason: acr === undefined ? 'missing' : 'not_granted',
          detail: acr === undefined ? 'token carries no acr' : 'token acr is not one of the required',
        })
      }
    },
    challenge: { acrValues: values.join(' ') },
  }
}

function authTimeAuthorizer(maxAgeSec: number, clock: () => number): Authorizer {
  if (!Number.isSafeInteger(maxAgeSec) || maxAgeSec < 0) {
    throw new TypeError('requireAuthTime: "maxAgeSec" must be a whole number of seconds, 0 or more')
  }
  if (typeof clock !== 'function') throw new TypeError('requireAuthTime: option "clock" must be a function')
  return {
    check(claims) {
      // The claim itself, not its `authTime` mirror: claims from a verifier stand-in lack the mirror.
      const authTime = granted(claims).auth_time
      if (typeof authTime !== 'number') {
        throw new VerifyError('insufficient_user_authentication', {
          claim: 'auth_time',
          reason: 'missing',
          detail: 'token carries no auth_time',
        })
      }
      // The issuer's rule for its own recent-login check: an age of exactly maxAgeSec still passes.
      if (clock() - authTime * 1000 > maxAgeSec * 1000) {
        throw new VerifyError('insufficient_user_authentication', {
          claim: 'auth_time',
          reason: 'too_old',
          detail: 'auth_time is older than the allowed age',
        })
      }
    },
    challenge: { maxAge: maxAgeSec },
  }
}

function granted(claims: AccessTokenClaims | undefined): AccessTokenClaims {
  if (claims === undefined) {
    throw new VerifyError('missing_token', { reason: 'missing', detail: 'no verified token on this request' })
  }
  return claims
}
