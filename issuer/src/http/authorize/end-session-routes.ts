import { type Context, Hono } from 'hono'
import type { Authorization } from '../../core/authorization/create-authorization.ts'
import { CLIENTS } from '../../core/clients/client-collection.ts'
import { matchesRedirectUri } from '../../core/clients/redirect-uri.ts'
import type { Clock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import type { Records } from '../../core/records/records.ts'
import { readIdTokenHint } from '../../core/tokens/id-token-hint.ts'
import type { KeyRing } from '../../keys/key-ring.ts'
import { BROWSER_PATHS } from '../endpoint-paths.ts'
import type { CsrfGuard } from './csrf-guard.ts'
import { createHostedPages } from './hosted-pages.ts'
import type { LoginSessionCookie } from './login-session-cookie.ts'
import { confirmLogoutPage, signedOutPage } from './logout-pages.ts'
import { setPageHeaders } from './page-headers.ts'
import { formParamsOf, queryParamsOf } from './raw-params.ts'

const LOGOUT_PARAMS = ['id_token_hint', 'post_logout_redirect_uri', 'state', 'client_id'] as const
const MAX_CHARS = 8192

/**
 * OpenID Connect RP-Initiated Logout 1.0: GET and POST `/oauth/logout`. Only the browser's own
 * login session is ever ended, with the sessions its codes started. A valid `id_token_hint` issued
 * in that very login session (its `sid`) ends it at once; anything else (a hint of another login
 * session or user, no hint, no session) shows a confirmation page first (§2: the OP MUST ask the
 * End-User whether to log out), so a link or a leaked ID token cannot sign anyone out. The browser
 * goes back only to a `post_logout_redirect_uri` registered for the client the hint (or
 * `client_id`) names (§3), with `state`.
 */
export function createEndSessionRoutes(deps: {
  authorization: Authorization
  records: Records
  keyRing: KeyRing
  clock: Clock
  csrf: CsrfGuard
  loginCookie: LoginSessionCookie
  issuerUrl: string
  maxFormBytes: number
  logger: Logger
}): Hono {
  const pages = createHostedPages(deps.logger)
  const hintDeps = { keyRing: deps.keyRing, clock: deps.clock, issuer: deps.issuerUrl }
  const routes = new Hono()
  routes.onError(pages.onError)

  const endSession = async (c: Context) => {
    const raw = c.req.method === 'POST' ? await formParamsOf(c, deps.maxFormBytes) : queryParamsOf(c)
    const params = new Map<string, string>()
    for (const name of LOGOUT_PARAMS) {
      const values = raw.get(name) ?? []
      if (values.length > 1) return pages.refused(c, 400, `The parameter ${name} must not be repeated.`)
      const value = values[0]
      if (value === null || (value !== undefined && value.length > MAX_CHARS)) {
        return pages.refused(c, 400, `The parameter ${name} is malformed.`)
      }
      if (value !== undefined && value !== '') params.set(name, value)
    }
    const hintText = params.get('id_token_hint')
    const hint = hintText === undefined ? null : await readIdTokenHint(hintText, hintDeps)
    // A hint that does not verify is refused outright: an RP sends the ID token it was given.
    if (hintText !== undefined && hint === null) {
      return pages.refused(c, 400, 'The id_token_hint was not issued by this service, or has been altered.')
    }
    const clientId = params.get('client_id')
    if (hint !== null && clientId !== undefined && clientId !== hint.clientId) {
      return pages.refused(c, 400, 'The client_id does not match the id_token_hint.')
    }
    const target = params.get('post_logout_redirect_uri')
    let redirect: string | null = null
    if (target !== undefined) {
      const named = hint?.clientId ?? clientId
      const client = named === undefined ? null : await deps.records.get(CLIENTS, { id: named })
      // No redirect without a client that registered it: no open redirector.
      if (client === null || !matchesRedirectUri(client.postLogoutRedirectUris, target)) {
        return pages.refused(c, 400, 'The post_logout_redirect_uri is not registered for this application.')
      }
      redirect = target
    }

    const cookie = deps.loginCookie.read(c)
    // The hint's login session, when this browser holds its cookie: live, or idle-expired since
    // (an RP may log out long after sign-in; the sessions its codes started must end too).
    const held =
      hint === null || hint.sid === null ? null : await deps.authorization.heldLoginSession(cookie, hint.sid)
    const ofThisSession = held !== null && held.userId === hint?.sub
    const session = ofThisSession ? held : await deps.authorization.loginSession(cookie)
    if (!ofThisSession) {
      const confirmed = c.req.method === 'POST' && raw.get('confirm')?.[0] === 'yes'
      if (!confirmed) {
        setPageHeaders(c, redirect ?? undefined)
        return c.html(
          confirmLogoutPage({
            action: BROWSER_PATHS.endSession,
            fields: params,
            csrf: deps.csrf.issue(c),
            signedIn: session !== null,
          }),
        )
      }
      if (!deps.csrf.check(c, raw.get('csrf')?.[0] ?? undefined)) {
        return pages.refused(c, 403, 'This form has expired or did not come from this site. Start again.')
      }
    }
    if (session !== null) {
      const revoked = await deps.authorization.signOut(session.id)
      deps.logger.info('rp_logout', {
        loginSessionId: session.id,
        sessions: revoked,
        confirmed: !ofThisSession,
      })
    }
    deps.loginCookie.clear(c)
    if (redirect !== null) {
      const url = new URL(redirect)
      const state = params.get('state')
      if (state !== undefined) url.searchParams.append('state', state)
      c.header('Cache-Control', 'no-store')
      c.header('Referrer-Policy', 'no-referrer')
      return c.redirect(url.toString(), c.req.method === 'POST' ? 303 : 302)
    }
    setPageHeaders(c)
    return c.html(signedOutPage())
  }

  routes.get(BROWSER_PATHS.endSession, endSession)
  routes.post(BROWSER_PATHS.endSession, endSession)
  return routes
}
