import type { RequestHandler } from 'express'
import { authorize } from '../claims/authorize.ts'
import { expressRequirement } from './express-requirement.ts'

/** Express middleware after `expressAuth`: 403 `insufficient_role` unless the token holds one of `roles`. */
export function requireRole(...roles: string[]): RequestHandler {
  return expressRequirement(authorize({ roles }))
}
