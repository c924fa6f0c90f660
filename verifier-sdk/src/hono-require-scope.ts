import type { MiddlewareHandler } from 'hono'
import { authorizeClaims } from './authorize-claims.ts'
import { VerifyError } from './errors.ts'
import type { AuthEnv } from './hono-auth-env.ts'
import { honoAuthError } from './hono-auth-error.ts'
import { requiredValues } from './required-values.ts'

/** Hono middleware after `honoAuth`: 403 (`insufficient_scope` challenge) unless the token has every scope. */
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
