import { type Context, Hono } from 'hono'
import type { Clock } from '../core/clock.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import { discoveryMetadata } from './discovery-metadata.ts'
import { createJwksResponder, etagMatches } from './jwks-response.ts'

export interface WellKnownRoutesDeps {
  keyRing: KeyRing
  clock: Clock
  issuerUrl: string
  /** The JWKS max-age; must stay below the key schedule's publish lead. */
  jwksMaxAgeSec: number
}

/** `/.well-known/*`: the JWKS (ETag, 304) and both discovery documents (mount at `/.well-known`). */
export function createWellKnownRoutes(deps: WellKnownRoutesDeps): Hono {
  const { keyRing, clock } = deps
  const jwksAt = createJwksResponder(keyRing)
  const cacheControl = `public, max-age=${deps.jwksMaxAgeSec}`
  const routes = new Hono()

  routes.get('/jwks.json', (c) => {
    const { body, etag } = jwksAt(clock())
    c.header('Cache-Control', cacheControl)
    c.header('ETag', etag)
    if (etagMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304)
    c.header('Content-Type', 'application/json')
    return c.body(body)
  })

  const discovery = (c: Context) => {
    c.header('Cache-Control', cacheControl)
    const algs = [...new Set(keyRing.jwks(clock()).keys.map((k) => k.alg))]
    return c.json(discoveryMetadata(deps.issuerUrl, algs))
  }
  routes.get('/openid-configuration', discovery)
  routes.get('/oauth-authorization-server', discovery)

  return routes
}
