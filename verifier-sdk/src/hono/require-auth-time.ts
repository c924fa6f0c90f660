import type { MiddlewareHandler } from 'hono'
import { authorize } from '../claims/authorize.ts'
import type { RequireAuthTimeOptions } from '../middleware/require-auth-time-options.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoRequirement } from './hono-requirement.ts'

/**
 * Hono middleware after `honoAuth`: 401 `insufficient_user_authentication` with the RFC 9470
 * challenge `max_age=N` unless the token's `auth_time` is at most `maxAgeSec` old.
 */
export function requireAuthTime(
  maxAgeSec: number,
  options?: RequireAuthTimeOptions,
): MiddlewareHandler<AuthEnv> {
  return honoRequirement(authorize({ maxAgeSec, clock: options?.clock ?? Date.now }))
}
