import type { Context, Handler } from 'hono'
import type { ClientRecord } from '../../core/clients/client-record.ts'
import type { WebOriginIndex } from '../../core/clients/create-web-origin-index.ts'
import { webOriginsOf } from '../../core/clients/web-origin.ts'

export interface BrowserCors {
  /** Answers a preflight (OPTIONS) for an origin some client registered; others get no CORS header. */
  preflight(methods: readonly string[]): Handler
  /** Lets the page at the request's `Origin` read the answer, when that origin is `client`'s. */
  allowFor(c: Context, client: Pick<ClientRecord, 'type' | 'redirectUris' | 'webOrigins'>): void
}

const PREFLIGHT_MAX_AGE_SEC = 600

/**
 * CORS for browser clients (single-page apps) on the token, revocation and userinfo endpoints
 * (Fetch standard, CORS protocol). Never with credentials (no `Access-Control-Allow-Credentials`):
 * these endpoints take their client and token from the request, never from a cookie. An answer is
 * readable only by an origin registered for the client it authenticated, or whose token it served.
 */
export function createBrowserCors(deps: { origins: WebOriginIndex }): BrowserCors {
  return {
    preflight(methods) {
      return async function corsPreflight(c) {
        const origin = c.req.header('origin')
        c.header('Vary', 'Origin')
        if (origin !== undefined && (await deps.origins.has(origin))) {
          c.header('Access-Control-Allow-Origin', origin)
          c.header('Access-Control-Allow-Methods', methods.join(', '))
          // What token requests send: a form body, HTTP Basic for a client that has a secret, and a
          // Bearer token at userinfo; DPoP is listed so a client that sends it is not refused here.
          c.header('Access-Control-Allow-Headers', 'authorization, content-type, dpop')
          c.header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SEC))
        }
        return c.body(null, 204)
      }
    },
    allowFor(c, client) {
      const origin = c.req.header('origin')
      if (origin === undefined) return
      c.header('Vary', 'Origin')
      if (!webOriginsOf(client).includes(origin)) return
      c.header('Access-Control-Allow-Origin', origin)
      // A refused userinfo call says why in WWW-Authenticate (RFC 6750 §3); let the page read it.
      c.header('Access-Control-Expose-Headers', 'WWW-Authenticate')
    },
  }
}
