import type { RequestHandler } from 'express'
import { authorizeClaims } from '../claims/authorize-claims.ts'
import { VerifyError } from '../errors.ts'
import { requiredValues } from '../middleware/required-values.ts'
import { expressAuthError } from './express-auth-error.ts'

/** Express middleware after `expressAuth`: 403 `insufficient_scope` unless the token has every scope. */
export function requireScope(...scopes: string[]): RequestHandler {
  const required = requiredValues('requireScope', scopes)
  const scopeParam = required.join(' ')
  return function requireScopeMiddleware(req, res, next) {
    try {
      authorizeClaims(req.auth, { scopes: required })
    } catch (error) {
      if (error instanceof VerifyError) return expressAuthError(res, error, undefined, scopeParam)
      return next(error)
    }
    next()
  }
}
