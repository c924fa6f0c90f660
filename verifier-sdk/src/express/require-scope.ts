import type { RequestHandler } from 'express'
import { authorize } from '../claims/authorize.ts'
import { expressRequirement } from './express-requirement.ts'

/** Express middleware after `expressAuth`: 403 `insufficient_scope` unless the token has every one of `scopes`. */
export function requireScope(...scopes: string[]): RequestHandler {
  return expressRequirement(authorize({ scopes }))
}
