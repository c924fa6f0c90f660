import type { RequestHandler } from 'express'
import { authorize } from '../claims/authorize.ts'
import type { RequireAuthTimeOptions } from '../middleware/require-auth-time-options.ts'
import { expressRequirement } from './express-requirement.ts'

/**
 * Express middleware after `expressAuth`: 401 `insufficient_user_authentication` with the RFC 9470
 * challenge `max_age=N` unless the token's `auth_time` is at most `maxAgeSec` old.
 */
export function requireAuthTime(maxAgeSec: number, options?: RequireAuthTimeOptions): RequestHandler {
  return expressRequirement(authorize({ maxAgeSec, clock: options?.clock ?? Date.now }))
}
