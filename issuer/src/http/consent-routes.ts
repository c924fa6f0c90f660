import { Hono } from 'hono'
import type { Authorization } from '../core/authorization/create-authorization.ts'
import { ACCOUNT_SCOPE } from '../core/clients/grant-scope.ts'
import type { AccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { IssuerError } from '../errors.ts'
import { type BearerEnv, bearerAuth } from './bearer-auth.ts'

/**
 * `/auth/consents` (mount at `/auth`): the consents a user gave third-party clients on the
 * consent page, listed and revoked like `/auth/sessions`, with a token granted the account scope.
 */
export function createConsentRoutes(deps: {
  authorization: Pick<Authorization, 'listConsents' | 'revokeConsent'>
  verifier: AccessTokenVerifier
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
  issuerUrl: string
}): Hono<BearerEnv> {
  const requireBearer = bearerAuth({
    verify: (token) => deps.verifier.verify(token),
    isSessionLive: deps.isSessionLive,
    realm: 'tokensmith',
    requires: { scope: ACCOUNT_SCOPE, audience: deps.issuerUrl },
  })
  const routes = new Hono<BearerEnv>()
  routes.use(async (c, next) => {
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    await next()
  })

  routes.get('/consents', requireBearer, async (c) => {
    const consents = await deps.authorization.listConsents(c.get('claims').sub)
    return c.json({
      consents: consents.map((k) => ({ clientId: k.clientId, scope: k.scope, grantedAt: k.grantedAt })),
    })
  })

  routes.delete('/consents/:clientId', requireBearer, async (c) => {
    if (!(await deps.authorization.revokeConsent(c.get('claims').sub, c.req.param('clientId') ?? ''))) {
      throw new IssuerError('not_found', 'No consent for that client.')
    }
    return c.json({ ok: true })
  })

  return routes
}
