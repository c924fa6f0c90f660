import type { RequestHandler } from 'express'
import { authorize } from '../claims/authorize.ts'
import { expressRequirement } from './express-requirement.ts'

/**
 * Express middleware after `expressAuth`: 401 `insufficient_user_authentication` with the RFC 9470
 * challenge `acr_values="..."` unless the token's `acr` is exactly one of `values`. List every
 * class you accept: "mfa or stronger" is `[MFA, PHISHING_RESISTANT]`.
 */
export function requireAcr(values: readonly string[]): RequestHandler {
  return expressRequirement(authorize({ acrValues: values }))
}
