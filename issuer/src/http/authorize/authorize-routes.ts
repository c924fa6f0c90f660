import { type Context, Hono } from 'hono'
import {
  AUTHORIZATION_PARAMS,
  type AuthorizationParams,
  type AuthorizationRequest,
} from '../../core/authorization/check-authorization-request.ts'
import type { Authorization } from '../../core/authorization/create-authorization.ts'
import type { Logger } from '../../core/logger.ts'
import { errorDescription, IssuerError } from '../../errors.ts'
import { BROWSER_PATHS } from '../endpoint-paths.ts'
import type { CsrfGuard } from './csrf-guard.ts'
import { createHostedPages, type HostedPages } from './hosted-pages.ts'
import type { LoginSessionCookie } from './login-session-cookie.ts'
import { LOGIN_STYLESHEET } from './login-stylesheet.ts'
import { PASSKEY_SCRIPT_PATH, STYLESHEET_PATH } from './page-layout.ts'
import { PASSKEY_SCRIPT } from './passkey-script.ts'
import { formParamsOf, queryParamsOf, single } from './raw-params.ts'
import { createSignInFlow, type SignInTarget } from './sign-in-flow.ts'

export interface AuthorizeRoutesDeps {
  authorization: Authorization
  csrf: CsrfGuard
  loginCookie: LoginSessionCookie
  issuerUrl: string
  /** The bound of a posted form (the request's parameters travel with the password). */
  maxFormBytes: number
  clientAddress: (c: Context) => string | null
  logger: Logger
  clock: () => number
}

/** Form fields of the hosted pages that are not parameters of the authorization request. */
const PAGE_FIELDS = ['csrf', 'decision']

/**
 * `/oauth/authorize` (RFC 6749 §4.1.1 with RFC 7636; OpenID Connect Core §3.1.2.1, GET and POST)
 * and the hosted login and consent pages it shows. The pages post back to the same endpoint with
 * the request's parameters as hidden fields, so each post is checked as a new request.
 */
export function createAuthorizeRoutes(deps: AuthorizeRoutesDeps): Hono {
  const { authorization, csrf, loginCookie } = deps
  const pages: HostedPages = createHostedPages(deps.logger)
  const routes = new Hono()
  routes.onError(pages.onError)
  const flow = createSignInFlow({ ...deps, pages })

  routes.get(STYLESHEET_PATH, (c) => {
    c.header('Content-Type', 'text/css; charset=utf-8')
    c.header('Cache-Control', 'public, max-age=3600')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(LOGIN_STYLESHEET)
  })

  routes.get(PASSKEY_SCRIPT_PATH, (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    c.header('Cache-Control', 'public, max-age=3600')
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(PASSKEY_SCRIPT)
  })

  routes.get(BROWSER_PATHS.authorization, (c) => authorize(c, queryParamsOf(c)))

  routes.post(BROWSER_PATHS.authorization, async (c) => {
    const params = await formParamsOf(c, deps.maxFormBytes)
    const isPageForm = PAGE_FIELDS.some((f) => params.has(f)) || flow.isSignInPost(params)
    if (!isPageForm) return authorize(c, params)
    // A post of the hosted pages must come from them: the anti-CSRF pair, checked first.
    if (!csrf.check(c, single(params, 'csrf'))) {
      deps.logger.info('authorize_csrf_refused', { clientIp: deps.clientAddress(c) })
      return pages.refused(c, 403, 'This form has expired or did not come from this site. Start again.')
    }
    const check = await authorization.check(params)
    if (check.kind !== 'valid') return answerCheck(c, check)
    const request = check.request
    if (params.has('decision')) return consentDecision(c, params, request, single(params, 'decision'))
    return flow.post(c, params, targetOf(params, request))
  })

  routes.on(['PUT', 'PATCH', 'DELETE'], BROWSER_PATHS.authorization, (c) => {
    c.header('Allow', 'GET, POST')
    throw new IssuerError('invalid_request', 'This endpoint takes GET and POST only.')
  })

  async function authorize(c: Context, params: AuthorizationParams): Promise<Response> {
    const check = await authorization.check(params)
    if (check.kind === 'error' && check.unlessSignedOut !== undefined) {
      if ((await authorization.loginSession(loginCookie.read(c))) === null) {
        const { error, description } = check.unlessSignedOut
        return answerCheck(c, { ...check, error, description })
      }
    }
    if (check.kind !== 'valid') return answerCheck(c, check)
    const session = await authorization.loginSession(loginCookie.read(c))
    return proceed(c, params, check.request, session, { freshLogin: false, consented: false })
  }

  function answerCheck(
    c: Context,
    check: Exclude<Awaited<ReturnType<Authorization['check']>>, { kind: 'valid' }>,
  ) {
    if (check.kind === 'refused') return pages.refused(c, 400, check.reason)
    return redirectBack(c, check.redirectUri, {
      error: check.error,
      error_description: check.description,
      ...(check.state === null ? {} : { state: check.state }),
    })
  }

  async function proceed(
    c: Context,
    params: AuthorizationParams,
    request: AuthorizationRequest,
    session: Awaited<ReturnType<Authorization['loginSession']>>,
    opts: { freshLogin: boolean; consented: boolean },
  ): Promise<Response> {
    const decision = await authorization.decide(request, session, opts)
    switch (decision.kind) {
      case 'login':
        return flow.loginPage(c, targetOf(params, request))
      case 'second-step':
      case 'enrol':
        return flow.nextStep(c, targetOf(params, request), decision)
      case 'consent':
        return pages.consent(c, {
          request,
          username: decision.username,
          // Signed in during this interaction: the consent post must not ask for it again.
          fields: carried(params, opts.freshLogin),
          csrf: csrf.issue(c),
        })
      case 'error':
        return redirectBack(
          c,
          request.redirectUri,
          stateOf(request, { error: decision.error, error_description: decision.description }),
        )
      case 'code':
        return redirectBack(c, request.redirectUri, stateOf(request, { code: decision.code }))
    }
  }

  /** The sign-in of this request: its client and `acr` request, on to the code once signed in. */
  function targetOf(params: AuthorizationParams, request: AuthorizationRequest): SignInTarget {
    return {
      for: request,
      page: {
        clientName: request.client.name,
        action: BROWSER_PATHS.authorization,
        redirectTarget: request.redirectUri,
      },
      fields: (signedIn) => carried(params, signedIn),
      loginHint: request.loginHint ?? '',
      signedIn: (c, session) => proceed(c, params, request, session, { freshLogin: true, consented: false }),
      unmet: (c, error, description) =>
        redirectBack(c, request.redirectUri, stateOf(request, { error, error_description: description })),
    }
  }

  async function consentDecision(
    c: Context,
    params: AuthorizationParams,
    request: AuthorizationRequest,
    decision: string | undefined,
  ) {
    const session = await authorization.loginSession(loginCookie.read(c))
    if (decision === 'deny') {
      return redirectBack(
        c,
        request.redirectUri,
        stateOf(request, {
          error: 'access_denied',
          error_description: 'The user denied the request.',
        }),
      )
    }
    if (decision !== 'allow') return pages.refused(c, 400, 'The consent form was not answered.')
    // Signed out meanwhile (or another browser's form): sign in again, then consent again.
    if (session === null) return proceed(c, params, request, null, { freshLogin: false, consented: false })
    await authorization.rememberConsent(request, session.userId)
    return proceed(c, params, request, session, { freshLogin: true, consented: true })
  }

  /**
   * RFC 6749 §4.1.2 and §4.1.2.1, with `iss` (RFC 9207 §2). 302 for a GET; 303 after a post, so
   * the browser does not post the form on to the client (RFC 9700 §4.12).
   */
  function redirectBack(c: Context, redirectUri: string, values: Record<string, string>): Response {
    const url = new URL(redirectUri)
    for (const [name, value] of Object.entries({ ...values, iss: deps.issuerUrl })) {
      url.searchParams.append(name, name === 'error_description' ? errorDescription(value) : value)
    }
    c.header('Cache-Control', 'no-store')
    c.header('Referrer-Policy', 'no-referrer')
    return c.redirect(url.toString(), c.req.method === 'POST' ? 303 : 302)
  }

  return routes
}

function stateOf(request: AuthorizationRequest, values: Record<string, string>): Record<string, string> {
  return request.state === null ? values : { ...values, state: request.state }
}

/**
 * The request's own parameters, to post back. `signedIn`: the user has just signed in, so the
 * consent post carries neither `prompt=login` nor `max_age` (met by that sign-in; the ID token's
 * `auth_time` tells the client when it was).
 */
function carried(params: AuthorizationParams, signedIn: boolean): Map<string, string> {
  const fields = new Map<string, string>()
  for (const name of AUTHORIZATION_PARAMS) {
    let value = single(params, name)
    if (value === undefined || value === '') continue
    if (signedIn && name === 'max_age') continue
    if (signedIn && name === 'prompt')
      value = value
        .split(' ')
        .filter((p) => p !== 'login')
        .join(' ')
    if (value !== '') fields.set(name, value)
  }
  return fields
}
