import { type Context, Hono } from 'hono'
import type { ClientRecord } from '../../core/clients/client-record.ts'
import type { ClientAuthenticator } from '../../core/clients/create-client-authenticator.ts'
import type { TokenGrants } from '../../core/grants/create-token-grants.ts'
import type { TokenIntrospection } from '../../core/grants/create-token-introspection.ts'
import type { TokenRevocation } from '../../core/grants/create-token-revocation.ts'
import type { GrantedTokens } from '../../core/grants/token-grant.ts'
import type { Logger } from '../../core/logger.ts'
import { OAuthError } from '../../errors.ts'
import { OAUTH_PATHS } from '../endpoint-paths.ts'
import type { BrowserCors } from '../oauth-shared/browser-cors.ts'
import type { FormParams } from '../oauth-shared/form-params.ts'
import { createOAuthErrorHandler } from '../oauth-shared/oauth-error-handler.ts'
import { readFormBody } from '../oauth-shared/read-form-body.ts'
import { clientCredentialsOf } from './client-credentials-of.ts'
import { grantParamsOf } from './grant-params-of.ts'

export interface OAuthRoutesDeps {
  clients: ClientAuthenticator
  grants: TokenGrants
  revocation: TokenRevocation
  introspection: TokenIntrospection
  issuerUrl: string
  /** The client of a request without client authentication (the first of CLIENT_IDS). */
  defaultClientId: string
  maxBodyBytes: number
  clientAddress: (c: Context) => string | null
  /** CORS for browser clients on the token and revocation endpoints (not introspection). */
  cors: BrowserCors
  logger: Logger
}

/**
 * `/oauth/*`, the standard surface over the same core as `/auth/*`: the token endpoint (RFC
 * 6749), revocation (RFC 7009) and introspection (RFC 7662). Mount at `/` (paths are absolute).
 */
export function createOAuthRoutes(deps: OAuthRoutesDeps): Hono {
  const routes = new Hono()
  routes.onError(createOAuthErrorHandler(deps.logger))
  routes.use('/oauth/*', async (c, next) => {
    // RFC 6749 §5.1: token answers must not be cached.
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    await next()
  })

  /** The form and the client it authenticates, for the endpoint at `path`. */
  async function authenticated(
    c: Context,
    path: string,
  ): Promise<{ form: FormParams; client: ClientRecord }> {
    const form = await readFormBody(c, deps.maxBodyBytes)
    const credentials = clientCredentialsOf(c.req.header('authorization'), form, deps.defaultClientId)
    const client = await deps.clients.authenticate(credentials, `${deps.issuerUrl}${path}`)
    // From here on, errors included, the answer is the authenticated client's to read.
    if (path !== OAUTH_PATHS.introspection) deps.cors.allowFor(c, client)
    return { form, client }
  }

  routes.options(OAUTH_PATHS.token, deps.cors.preflight(['POST']))
  routes.options(OAUTH_PATHS.revocation, deps.cors.preflight(['POST']))

  routes.post(OAUTH_PATHS.token, async (c) => {
    const { form, client } = await authenticated(c, OAUTH_PATHS.token)
    // The grant from the list, then its parameters as it names them: a missing one is refused
    // before the grant runs.
    const grantType = form.require('grant_type')
    const grant = deps.grants.find((g) => g.type === grantType)
    if (grant === undefined)
      throw new OAuthError('unsupported_grant_type', 'The grant_type is not supported.')
    const tokens = await grant.handle(client, grantParamsOf(form, grant.params), {
      clientIp: deps.clientAddress(c),
      userAgent: c.req.header('user-agent') ?? null,
    })
    return c.json(tokenResponse(tokens))
  })

  routes.post(OAUTH_PATHS.revocation, async (c) => {
    const { form, client } = await authenticated(c, OAUTH_PATHS.revocation)
    await deps.revocation.revoke(client, form.require('token'), form.get('token_type_hint'))
    // RFC 7009 §2.2: 200 whether or not there was anything to revoke.
    return c.body(null, 200)
  })

  routes.post(OAUTH_PATHS.introspection, async (c) => {
    const { form, client } = await authenticated(c, OAUTH_PATHS.introspection)
    // RFC 7662 §2.1: the caller must be authorized; here, a confidential client (a resource server).
    if (client.type !== 'confidential') {
      throw new OAuthError('invalid_client', 'Introspection is for confidential clients.', {
        basicChallenge: false,
      })
    }
    return c.json(await deps.introspection.introspect(client, form.require('token')))
  })

  // The endpoints take POST only (RFC 6749 §3.2, RFC 7009 §2.1, RFC 7662 §2.1).
  routes.on(['GET', 'PUT', 'PATCH', 'DELETE'], Object.values(OAUTH_PATHS), (c) => {
    c.header('Allow', 'POST')
    throw new OAuthError('invalid_request', 'This endpoint takes POST only.', { status: 405 })
  })

  return routes
}

/** RFC 6749 §5.1, with OpenID Connect Core §3.1.3.3's `id_token`. */
function tokenResponse(tokens: GrantedTokens) {
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    ...(tokens.refreshToken === undefined ? {} : { refresh_token: tokens.refreshToken }),
    scope: tokens.scope.join(' '),
    ...(tokens.idToken === undefined ? {} : { id_token: tokens.idToken }),
  }
}
