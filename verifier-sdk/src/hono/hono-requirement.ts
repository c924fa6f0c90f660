import type { MiddlewareHandler } from 'hono'
import type { Authorizer } from '../claims/authorize.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoRefusal } from './hono-refusal.ts'

/** Hono middleware after `honoAuth` that lets a request on only when `authorizer` accepts its claims. */
export function honoRequirement(authorizer: Authorizer): MiddlewareHandler<AuthEnv> {
  const { challenge } = authorizer
  return async function requirementMiddleware(c, next) {
    try {
      authorizer.check(c.get('auth'))
    } catch (error) {
      throw honoRefusal(c, error, challenge)
    }
    await next()
  }
}
