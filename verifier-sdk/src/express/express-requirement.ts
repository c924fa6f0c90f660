import type { RequestHandler } from 'express'
import type { Authorizer } from '../claims/authorize.ts'
import { expressRefusal } from './express-refusal.ts'

/** Express middleware after `expressAuth` that lets a request on only when `authorizer` accepts its claims. */
export function expressRequirement(authorizer: Authorizer): RequestHandler {
  const { challenge } = authorizer
  return function requirementMiddleware(req, res, next) {
    try {
      authorizer.check(req.auth)
    } catch (error) {
      return expressRefusal(res, next, error, challenge)
    }
    next()
  }
}
