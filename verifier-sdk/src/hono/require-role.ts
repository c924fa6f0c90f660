import type { MiddlewareHandler } from 'hono'
import { authorize } from '../claims/authorize.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoRequirement } from './hono-requirement.ts'

/** Hono middleware after `honoAuth`: 403 `insufficient_role` unless the token holds one of `roles`. */
export function requireRole(...roles: string[]): MiddlewareHandler<AuthEnv> {
  return honoRequirement(authorize({ roles }))
}
