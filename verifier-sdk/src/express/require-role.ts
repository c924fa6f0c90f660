import type { RequestHandler } from 'express'
import { authorizeClaims } from '../claims/authorize-claims.ts'
import { VerifyError } from '../errors.ts'
import { requiredValues } from '../middleware/required-values.ts'
import { expressAuthError } from './express-auth-error.ts'

/** Express middleware after `expressAuth`: 403 `insufficient_role` unless the token holds one of `roles`. */
export function requireRole(...roles: string[]): RequestHandler {
  const required = requiredValues('requireRole', roles)
  return function requireRoleMiddleware(req, res, next) {
    try {
      authorizeClaims(req.auth, { roles: required })
    } catch (error) {
      if (error instanceof VerifyError) return expressAuthError(res, error)
      return next(error)
    }
    next()
  }
}
