import { type Context, Hono } from 'hono'
import { OPENID_SCOPE } from '../../core/authorization/check-authorization-request.ts'
import type { Logger } from '../../core/logger.ts'
import type { Store } from '../../core/store.ts'
import type { AccessTokenVerifier } from '../../core/tokens/access-token-verifier.ts'
import { IssuerError, OAuthError } from '../../errors.ts'
import { createOAuthErrorHandler } from '../oauth/oauth-error-handler.ts'
import { parseBearerToken } from '../parse-bearer-token.ts'
import { BROWSER_PATHS } from './browser-paths.ts'

/** The scope that adds the user's roles to userinfo (tokensmith's own, beside OIDC's `profile`). */
export const ROLES_SCOPE = 'roles'
const REALM = 'tokensmith'

/**
 * OpenID Connect Core §5.3 userinfo, GET and POST, with the access token in the Authorization
 * header (RFC 6750 §2.1): `sub`; `preferred_username` with `profile`; `roles` with `roles`.
 * Refusals carry RFC 6750 §3's challenge.
 */
export function createUserinfoRoutes(deps: {
  verifier: AccessTokenVerifier
  store: Pick<Store, 'findUserById'>
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
  logger: Logger
}): Hono {
  const routes = new Hono()
  routes.onError(createOAuthErrorHandler(deps.logger))

  /** RFC 6750 §3: the challenge; without any token, bare (§3.1 "SHOULD NOT include an error code"). */
  const refuse = (
    c: Context,
    code: 'invalid_token' | 'insufficient_scope' | 'invalid_request',
    message: string,
    bare = false,
  ) => {
    const scopePart = code === 'insufficient_scope' ? `, scope="${OPENID_SCOPE}"` : ''
    c.header(
      'WWW-Authenticate',
      bare
        ? `Bearer realm="${REALM}"`
        : `Bearer realm="${REALM}", error="${code}", error_description="${message}"${scopePart}`,
    )
    return new OAuthError(code, message)
  }

  const userinfo = async (c: Context) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    let token: string
    try {
      token = parseBearerToken(c.req.header('authorization'))
    } catch (err) {
      if (err instanceof IssuerError && err.code === 'missing_token') {
        throw refuse(c, 'invalid_token', 'A Bearer access token is required.', true)
      }
      throw refuse(c, 'invalid_request', 'The Authorization header is malformed.')
    }
    let claims: Awaited<ReturnType<AccessTokenVerifier['verify']>>
    try {
      claims = await deps.verifier.verify(token)
    } catch (err) {
      if (err instanceof IssuerError) throw refuse(c, 'invalid_token', err.message)
      throw err
    }
    const scope = typeof claims.scope === 'string' ? claims.scope.split(' ') : []
    if (!scope.includes(OPENID_SCOPE)) {
      throw refuse(c, 'insufficient_scope', 'The access token was not granted the openid scope.')
    }
    const user = await deps.store.findUserById(claims.sub)
    if (user === null || user.disabled || !(await deps.isSessionLive(claims.sub, claims.sid))) {
      throw refuse(c, 'invalid_token', 'The session of this access token has ended.')
    }
    return c.json({
      sub: user.id,
      ...(scope.includes('profile') ? { preferred_username: user.username } : {}),
      ...(scope.includes(ROLES_SCOPE) ? { roles: user.roles } : {}),
    })
  }
  routes.get(BROWSER_PATHS.userinfo, userinfo)
  routes.post(BROWSER_PATHS.userinfo, userinfo)
  return routes
}
