import type { MiddlewareHandler } from 'hono'
import { authorize } from '../claims/authorize.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoRequirement } from './hono-requirement.ts'

/**
 * Hono middleware after `honoAuth`: 401 `insufficient_user_authentication` with the RFC 9470
 * challenge `acr_values="..."` unless the token's `acr` is exactly one of `values`. List every
 * class you accept: "mfa or stronger" is `[MFA, PHISHING_RESISTANT]`.
 */
export function requireAcr(values: readonly string[]): MiddlewareHandler<AuthEnv> {
  return honoRequirement(authorize({ acrValues: values }))
}
