import { type Context, Hono } from 'hono'
import { cors } from 'hono/cors'
import type { Clock } from '../core/clock.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import { createJwksResponder, etagMatches } from './jwks-response.ts'
import { authorizationServerMetadata } from './oauth/authorization-server-metadata.ts'
import { openIdProviderMetadata } from './oidc/openid-provider-metadata.ts'

export interface WellKnownRoutesDeps {
  keyRing: KeyRing
  clock: Clock
  issuerUrl: string
  /** The JWKS max-age; must stay below the key schedule's publish lead. */
  jwksMaxAgeSec: number
  /** The scopes clients may ask for (the registry's, and the account scope), for the metadata. */
  scopes: () => Promise<string[]>
  /** The `grant_type`s of the token endpoint's list. */
  grantTypes: readonly string[]
}

/**
 * `/.well-known/*` (mount at `/.well-known`): the JWKS (ETag, 304), the RFC 8414 metadata and
 * OpenID Connect Discovery's `openid-configuration`.
 */
export function createWellKnownRoutes(deps: WellKnownRoutesDeps): Hono {
  const { keyRing, clock } = deps
  const jwksAt = createJwksResponder(keyRing)
  const cacheControl = `public, max-age=${deps.jwksMaxAgeSec}`
  const routes = new Hono()
  // Public documents: any page may read them (a single-page app discovers the issuer from its own
  // origin), and no credentials are involved.
  routes.use('*', cors({ origin: '*', allowMethods: ['GET'], maxAge: 86400 }))

  routes.get('/jwks.json', (c) => {
    const { body, etag } = jwksAt(clock())
    c.header('Cache-Control', cacheControl)
    c.header('ETag', etag)
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304)
    c.header('Content-Type', 'application/json')
    return c.body(body)
  })

  routes.get('/oauth-authorization-server', async (c: Context) => {
    c.header('Cache-Control', cacheControl)
    return c.json(authorizationServerMetadata(deps.issuerUrl, await deps.scopes(), deps.grantTypes))
  })

  routes.get('/openid-configuration', async (c: Context) => {
    c.header('Cache-Control', cacheControl)
    const alg = keyRing.signingKey(clock()).alg
    return c.json(openIdProviderMetadata(deps.issuerUrl, await deps.scopes(), deps.grantTypes, [alg]))
  })

  return routes
}
