import { type Context, Hono } from 'hono'
import type { Authorization } from '../../core/authorization/create-authorization.ts'
import type { ClientStore } from '../../core/clients/client-store.ts'
import { matchesRedirectUri } from '../../core/clients/redirect-uri.ts'
import type { Clock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import { type IdTokenHint, readIdTokenHint } from '../../core/tokens/id-token-hint.ts'
import type { KeyRing } from '../../keys/key-ring.ts'
import { BROWSER_PATHS } from './browser-paths.ts'
import type { CsrfGuard } from './csrf-guard.ts'
import { createHostedPages } from './hosted-pages.ts'
import type { LoginSessionCookie } from './login-session-cookie.ts'
import { confirmLogoutPage, signedOutPage } from './logout-pages.ts'
import { setPageHeaders } from './page-headers.ts'
import { formParamsOf, queryParamsOf } from './raw-params.ts'

const LOGOUT_PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id'] as const
const MAX_CHARS = 8192

/**
 * OpenID Connect RP-Initiated Logout 1.0: GET and POST `/oauth/logout`. With a valid
 * `id_token_hint` the login session of its user ends at once, and the browser goes to a
 * `post_logout_redirect_uri` registered for the hint's client (with `state`). Without one, the
 * user confirms on a page (§2: a logout nobody asked for is refused), and nothing redirects.
 */
export function createEndSessionRoutes(deps: {
  authorization: Authorization
  clients: Pick<ClientStore, 'getClient'>
  keyRing: KeyRing
  clock: Clock
  csrf: CsrfGuard
  loginCookie: LoginSessionCookie
  issuerUrl: string
  maxFormBytes: number
  logger: Logger
}): Hono {
  const pages = createHostedPages(deps.logger)
  const routes = new Hono()
  routes.onError(pages.onError)

  const endSession = async (c: Context) => {
    const raw = c.req.method === 'POST' ? await formParamsOf(c, deps.maxFormBytes) : queryParamsOf(c)
    const params = new Map<string, string>()
    for (const name of LOGOUT_PARAMS) {
      const values = raw.get(name) ?? []
      if (values.length > 1) return pages.refused(c, 400, `The parameter "${name}" must not be repeated.`)
      const value = values[0]
      if (value === null || (value !== undefined && value.length > MAX_CHARS)) {
        return pages.refused(c, 400, `The parameter "${name}" is malformed.`)
      }
      if (value !== undefined && value !== '') params.set(name, value)
    }
    const hintText = params.get('id_token_hint')
    const hint =
      hintText === undefined
        ? null
        : await readIdTokenHint(hintText, {
            keyRing: deps.keyRing,
            clock: deps.clock,
            issuer: deps.issuerUrl,
          })
    const clientId = params.get('client_id')
    if (hint !== null && clientId !== undefined && clientId !== hint.clientId) {
      return pages.refused(c, 400, 'The client_id does not match the id_token_hint.')
    }
    const target = params.get('post_logout_redirect_uri')
    let redirect: string | null = null
    if (target !== undefined) {
      const client = hint === null ? null : await deps.clients.getClient(hint.clientId)
      // No redirect without a valid hint naming the client that registered it: no open redirector.
      if (client === null || !matchesRedirectUri(client.postLogoutRedirectUris, target)) {
        return pages.refused(c, 400, 'The post_logout_redirect_uri is not registered for this application.')
      }
      redirect = target
    }

    const session = await deps.authorization.loginSession(deps.loginCookie.read(c))
    if (hint === null && session !== null) {
      const confirmed = c.req.method === 'POST' && raw.get('confirm')?.[0] === 'yes'
      if (!confirmed) {
        setPageHeaders(c)
        return c.html(
          confirmLogoutPage({ action: BROWSER_PATHS.endSession, fields: params, csrf: deps.csrf.issue(c) }),
        )
      }
      if (!deps.csrf.check(c, raw.get('csrf')?.[0] ?? undefined)) {
        return pages.refused(c, 403, 'This form has expired or did not come from this site. Start again.')
      }
    }
    await endFor(hint, session)
    deps.loginCookie.clear(c)
    if (redirect !== null) {
      const url = new URL(redirect)
      const state = params.get('state')
      if (state !== undefined) url.searchParams.append('state', state)
      c.header('Cache-Control', 'no-store')
      return c.redirect(url.toString(), c.req.method === 'POST' ? 303 : 302)
    }
    setPageHeaders(c)
    return c.html(signedOutPage())
  }

  /** The cookie's session when it is the hint's user (or there is no hint); else the hint's `sid`. */
  async function endFor(
    hint: IdTokenHint | null,
    session: Awaited<ReturnType<Authorization['loginSession']>>,
  ) {
    if (session !== null && (hint === null || session.userId === hint.sub)) {
      await deps.authorization.signOut(session.id)
      return
    }
    if (hint?.sid !== null && hint?.sid !== undefined) {
      await deps.authorization.signOutSession(hint.sid, hint.sub)
    }
  }

  routes.get(BROWSER_PATHS.endSession, endSession)
  routes.post(BROWSER_PATHS.endSession, endSession)
  return routes
}
