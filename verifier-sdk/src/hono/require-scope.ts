import type { MiddlewareHandler } from 'hono'
import { authorizeClaims } from '../claims/authorize-claims.ts'
import { VerifyError } from '../errors.ts'
import { requiredValues } from '../middleware/required-values.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoAuthError } from './hono-auth-error.ts'

/** Hono middleware after `honoAuth`: 403 `insufficient_scope` unless the token has every scope. */
export function requireScope(...scopes: string[]): MiddlewareHandler<AuthEnv> {
  const required = requiredValues('requireScope', scopes)
  const scopeParam = required.join(' ')
  return async function requireScopeMiddleware(c, next) {
    try {
      authorizeClaims(c.get('auth'), { scopes: required })
    } catch (error) {
      if (error instanceof VerifyError) return honoAuthError(c, error, undefined, scopeParam)
      throw error
    }
    await next()
  }
}
