import type { MiddlewareHandler } from 'hono'
import { authorize } from '../claims/authorize.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoRequirement } from './hono-requirement.ts'

/** Hono middleware after `honoAuth`: 403 `insufficient_scope` unless the token has every one of `scopes`. */
export function requireScope(...scopes: string[]): MiddlewareHandler<AuthEnv> {
  return honoRequirement(authorize({ scopes }))
}
