import type { MiddlewareHandler } from 'hono'
import type { Verifier } from '../create-verifier.ts'
import {
  type AuthMiddlewareOptions,
  checkAuthMiddlewareArguments,
} from '../middleware/auth-middleware-options.ts'
import { parseBearerToken } from '../middleware/parse-bearer-token.ts'
import type { AuthEnv } from './auth-env.ts'
import { honoRefusal } from './hono-refusal.ts'

/**
 * Hono middleware: verifies `Authorization: Bearer <token>` and puts the claims on `c.var.auth`;
 * refuses with 401 (RFC 6750 challenge) or 503 when keys are unavailable, by throwing an
 * HTTPException that holds the answer (see honoRefusal). Other errors propagate.
 */
export function honoAuth(
  verifier: Pick<Verifier, 'verify'>,
  options?: AuthMiddlewareOptions,
): MiddlewareHandler<AuthEnv> {
  const challenge = { realm: checkAuthMiddlewareArguments('honoAuth', verifier, options) }
  return async function honoAuthMiddleware(c, next) {
    try {
      c.set('auth', await verifier.verify(parseBearerToken(c.req.header('authorization'))))
    } catch (error) {
      throw honoRefusal(c, error, challenge)
    }
    await next()
  }
}
