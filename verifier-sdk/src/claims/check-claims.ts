import { VerifyError, type VerifyErrorReason } from '../errors.ts'
import type { AccessTokenClaims } from './access-token-claims.ts'

export interface ClaimRules {
  readonly issuer: string
  readonly audiences: readonly string[]
  readonly clockToleranceSec: number
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

const REQUIRED_STRINGS = ['sub', 'jti', 'client_id'] as const

/** Refuses the token as invalid because of one claim. */
function refuse(claim: string, reason: VerifyErrorReason, detail: string): never {
  throw new VerifyError('invalid_token', { claim, reason, detail })
}

function requireString(payload: Readonly<Record<string, unknown>>, name: string): string {
  const value = payload[name]
  if (typeof value !== 'string' || value.length === 0) {
    refuse(name, value === undefined ? 'missing' : 'malformed', `${name} is missing`)
  }
  return value
}

/**
 * Checks the claims of a payload whose signature is already verified, and returns them frozen.
 * `nowMs` is the verifier's clock. Expiry yields `token_expired`; every other failure `invalid_token`.
 */
export function checkClaims(
  payload: Record<string, unknown>,
  rules: ClaimRules,
  nowMs: number,
): AccessTokenClaims {
  const now = nowMs / 1000
  const tolerance = rules.clockToleranceSec

  const iss = payload.iss
  if (iss !== rules.issuer) refuse('iss', iss === undefined ? 'missing' : 'mismatch', 'iss does not match')

  const aud = payload.aud
  const audList = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined
  if (audList === undefined || !audList.every((a) => typeof a === 'string')) {
    refuse('aud', aud === undefined ? 'missing' : 'malformed', 'aud is missing')
  }
  if (!audList.some((a) => rules.audiences.includes(a as string))) {
    refuse('aud', 'mismatch', 'aud does not include this service')
  }

  const { exp, iat, nbf } = payload
  if (!isNumericDate(exp)) refuse('exp', exp === undefined ? 'missing' : 'malformed', 'exp is missing')
  if (!isNumericDate(iat)) refuse('iat', iat === undefined ? 'missing' : 'malformed', 'iat is missing')
  if (nbf !== undefined && !isNumericDate(nbf)) refuse('nbf', 'malformed', 'nbf is not a number')
  if (exp <= now - tolerance) {
    throw new VerifyError('token_expired', { claim: 'exp', reason: 'expired', detail: 'exp is in the past' })
  }
  if (nbf !== undefined && nbf > now + tolerance) refuse('nbf', 'in_future', 'nbf is in the future')
  if (iat > now + tolerance) refuse('iat', 'in_future', 'iat is in the future')

  for (const name of REQUIRED_STRINGS) requireString(payload, name)
  // A token without a session is a service's (client_credentials), which names itself as subject.
  // Otherwise `sid` stays required, so a user's token cannot pass for a service's by dropping it.
  const service = payload.sid === undefined && payload.sub === payload.client_id
  if (!service) requireString(payload, 'sid')

  const roles = payload.roles
  if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
    refuse('roles', 'malformed', 'roles is not a list of strings')
  }
  if (service && roles !== undefined && roles.length > 0) {
    refuse('roles', 'not_allowed', 'a service token carries roles')
  }
  const scope = payload.scope
  if (scope !== undefined && typeof scope !== 'string') refuse('scope', 'malformed', 'scope is not a string')
  checkAuthentication(payload, now + tolerance)

  // The payload is a fresh JSON.parse result owned by us: complete and freeze it in place (no copy),
  // so callers sharing a cached result cannot alter each other's claims.
  if (roles === undefined) (payload as Record<string, unknown>).roles = []
  return deepFreeze(payload) as unknown as AccessTokenClaims
}

/**
 * The user-authentication claims (RFC 9068 section 2.2.1): `acr` a non-empty string, `amr` a list
 * of strings, `auth_time` a NumericDate not ahead of the clock (one ahead would pass every
 * `requireAuthTime` forever). `authTime` mirrors `auth_time` and nothing else, so a token cannot
 * set it by a claim of that name.
 */
function checkAuthentication(payload: Record<string, unknown>, latestSec: number): void {
  const { acr, amr, auth_time } = payload
  if (acr !== undefined && (typeof acr !== 'string' || acr.length === 0)) {
    refuse('acr', 'malformed', 'acr is not a non-empty string')
  }
  if (amr !== undefined && !(Array.isArray(amr) && amr.every((m) => typeof m === 'string'))) {
    refuse('amr', 'malformed', 'amr is not a list of strings')
  }
  if (auth_time !== undefined) {
    if (!isNumericDate(auth_time)) refuse('auth_time', 'malformed', 'auth_time is not a number')
    if (auth_time > latestSec) refuse('auth_time', 'in_future', 'auth_time is in the future')
    payload.authTime = auth_time
  } else if (Object.hasOwn(payload, 'authTime')) {
    delete payload.authTime
  }
}

/** Iterative, so a deeply nested (validly signed) payload cannot exhaust the call stack. */
function deepFreeze<T>(root: T): T {
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
      Object.freeze(value)
      for (const key in value) pending.push((value as Record<string, unknown>)[key])
    }
  }
  return root
}
