import type { RequestHandler } from 'express'
import { authorizeClaims } from './authorize-claims.ts'
import { VerifyError } from './errors.ts'
import { expressAuthError } from './express-auth-error.ts'
import { requiredValues } from './required-values.ts'

/** Express middleware after `expressAuth`: 403 (`insufficient_scope` challenge) unless the token has every scope. */
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
