import type { RequestHandler } from 'express'
import type { AccessTokenClaims } from '../claims/access-token-claims.ts'
import type { Verifier } from '../create-verifier.ts'
import {
  type AuthMiddlewareOptions,
  checkAuthMiddlewareArguments,
} from '../middleware/auth-middleware-options.ts'
import { parseBearerToken } from '../middleware/parse-bearer-token.ts'
import { expressRefusal } from './express-refusal.ts'

declare global {
  namespace Express {
    interface Request {
      /** The verified access-token claims, set by `expressAuth`. */
      auth?: AccessTokenClaims
    }
  }
}

/**
 * Express middleware: verifies `Authorization: Bearer <token>` and puts the claims on `req.auth`;
 * refuses with 401 (RFC 6750 challenge) or 503 when keys are unavailable. Other errors go to `next`.
 * Works with Express 4 and 5 (it does not rely on promise-returning handlers).
 */
export function expressAuth(
  verifier: Pick<Verifier, 'verify'>,
  options?: AuthMiddlewareOptions,
): RequestHandler {
  const challenge = { realm: checkAuthMiddlewareArguments('expressAuth', verifier, options) }
  return function expressAuthMiddleware(req, res, next) {
    let token: string
    try {
      token = parseBearerToken(req.get('authorization'))
    } catch (error) {
      return expressRefusal(res, next, error, challenge)
    }
    verifier.verify(token).then(
      (claims) => {
        req.auth = claims
        next()
      },
      (error: unknown) => expressRefusal(res, next, error, challenge),
    )
  }
}
