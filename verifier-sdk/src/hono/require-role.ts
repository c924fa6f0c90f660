import type { MiddlewareHandler } from 'hono'
import { authorizeClaims } from '../claims/authorize-claims.ts'
import { VerifyError } from '../errors.ts'
import { requiredValues } from '../middleware/required-values.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoAuthError } from './hono-auth-error.ts'

/** Hono middleware after `honoAuth`: 403 `insufficient_role` unless the token holds one of `roles`. */
export function requireRole(...roles: string[]): MiddlewareHandler<AuthEnv> {
  const required = requiredValues('requireRole', roles)
  return async function requireRoleMiddleware(c, next) {
    try {
      authorizeClaims(c.get('auth'), { roles: required })
    } catch (error) {
      if (error instanceof VerifyError) return honoAuthError(c, error)
      throw error
    }
    await next()
  }
}
