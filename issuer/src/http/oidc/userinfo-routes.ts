import { type Context, Hono } from 'hono'
import { OPENID_SCOPE } from '../../core/authorization/check-authorization-request.ts'
import { ROLES_SCOPE } from '../../core/claims/roles-scope.ts'
import { claimsOfScope } from '../../core/claims/scope-claims.ts'
import { userClaims } from '../../core/claims/user-claims.ts'
import type { ClientCache } from '../../core/clients/create-client-cache.ts'
import type { Logger } from '../../core/logger.ts'
import type { SessionRecord } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import type { AccessTokenVerifier } from '../../core/tokens/access-token-verifier.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { errorDescription, IssuerError, OAuthError } from '../../errors.ts'
import { BROWSER_PATHS } from '../endpoint-paths.ts'
import type { BrowserCors } from '../oauth-shared/browser-cors.ts'
import { createOAuthErrorHandler } from '../oauth-shared/oauth-error-handler.ts'
import { readFormBody } from '../oauth-shared/read-form-body.ts'
import { parseBearerToken } from '../parse-bearer-token.ts'

const REALM = 'tokensmith'
const FORM = 'application/x-www-form-urlencoded'

/**
 * OpenID Connect Core §5.3 userinfo, GET and POST, with the access token in the Authorization
 * header (RFC 6750 §2.1) or, on a form POST, as `access_token` in the body (§2.2): `sub`; the
 * standard claims of the `profile` and `email` scopes (§5.4) and those the `claims` parameter
 * asked for (§5.5); `roles` with `roles`. Refusals carry RFC 6750 §3's challenge.
 */
export function createUserinfoRoutes(deps: {
  verifier: AccessTokenVerifier
  store: Pick<Store, 'records'>
  liveSession(userId: string, sessionId: string): Promise<SessionRecord | null>
  /** The client a token was issued to, for CORS (read only when the request has an Origin). */
  clients: ClientCache
  cors: BrowserCors
  maxBodyBytes: number
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
        : `Bearer realm="${REALM}", error="${code}", error_description="${errorDescription(message)}"${scopePart}`,
    )
    return new OAuthError(code, message)
  }

  /** The token of the header or, on a form POST, of the body; never both (RFC 6750 §2). */
  async function presentedToken(c: Context): Promise<string> {
    const header = c.req.header('authorization')
    const isForm =
      c.req.method === 'POST' &&
      (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase() === FORM
    const inBody = isForm ? (await readFormBody(c, deps.maxBodyBytes)).get('access_token') : undefined
    if (inBody !== undefined) {
      if (header !== undefined && header.trim() !== '') {
        throw refuse(c, 'invalid_request', 'Send the access token in one place only (RFC 6750 section 2).')
      }
      return inBody
    }
    try {
      return parseBearerToken(header)
    } catch (err) {
      if (err instanceof IssuerError && err.code === 'missing_token') {
        throw refuse(c, 'invalid_token', 'A Bearer access token is required.', true)
      }
      throw refuse(c, 'invalid_request', 'The Authorization header is malformed.')
    }
  }

  const userinfo = async (c: Context) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    const token = await presentedToken(c)
    let claims: Awaited<ReturnType<AccessTokenVerifier['verify']>>
    try {
      claims = await deps.verifier.verify(token)
    } catch (err) {
      if (err instanceof IssuerError) throw refuse(c, 'invalid_token', err.message)
      throw err
    }
    if (c.req.header('origin') !== undefined) {
      const client = await deps.clients.get(claims.client_id)
      if (client !== null && !client.disabled) deps.cors.allowFor(c, client)
    }
    const scope = typeof claims.scope === 'string' ? claims.scope.split(' ') : []
    if (!scope.includes(OPENID_SCOPE)) {
      throw refuse(c, 'insufficient_scope', 'The access token was not granted the openid scope.')
    }
    const user = await deps.store.records.get(USERS, { id: claims.sub })
    const session = user === null || user.disabled ? null : await deps.liveSession(claims.sub, claims.sid)
    if (user === null || session === null) {
      throw refuse(c, 'invalid_token', 'The session of this access token has ended.')
    }
    return c.json({
      ...userClaims(user, new Set([...claimsOfScope(scope), ...session.claims])),
      sub: user.id,
      ...(scope.includes(ROLES_SCOPE) ? { roles: user.roles } : {}),
    })
  }
  routes.get(BROWSER_PATHS.userinfo, userinfo)
  routes.post(BROWSER_PATHS.userinfo, userinfo)
  routes.options(BROWSER_PATHS.userinfo, deps.cors.preflight(['GET', 'POST']))
  return routes
}
