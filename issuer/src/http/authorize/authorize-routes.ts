import { type Context, Hono } from 'hono'
import {
  AUTHORIZATION_PARAMS,
  type AuthorizationParams,
  type AuthorizationRequest,
} from '../../core/authorization/check-authorization-request.ts'
import type {
  Authorization,
  SecondFactor,
  SignInResult,
} from '../../core/authorization/create-authorization.ts'
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

export interface AuthorizeRoutesDeps {
  authorization: Authorization
  csrf: CsrfGuard
  loginCookie: LoginSessionCookie
  issuerUrl: string
  /** The bound of a posted form (the request's parameters travel with the password). */
  maxFormBytes: number
  clientAddress: (c: Context) => string | null
  logger: Logger
}

/** Form fields of the hosted pages that are not parameters of the authorization request. */
const FORM_FIELDS = [
  'csrf',
  'username',
  'password',
  'decision',
  'mfa_token',
  'mfa_factors',
  'otp',
  'recovery_code',
  'enrol_otp',
  'passkey_challenge',
  'passkey_response',
  'continue',
]

/** The second page's fields, each a login step of core/login and core/passkeys. */
const SECOND_STEPS = [
  { field: 'otp', step: 'otp' },
  { field: 'recovery_code', step: 'recovery_code' },
  { field: 'passkey_response', step: 'passkey' },
] as const
const SECOND_FACTORS: readonly SecondFactor[] = ['otp', 'recovery_code', 'passkey']
/** A WebAuthn answer is a few kilobytes of JSON; anything bigger is refused unread. */
const MAX_PASSKEY_RESPONSE_CHARS = 16384

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
  // "Sign in with a passkey" only where the passkey step is configured.
  const passkeys = authorization.offers('passkey')

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
    const isPageForm = FORM_FIELDS.some((f) => params.has(f))
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
    if (params.has('mfa_token')) return secondStep(c, params, request)
    if (params.has('passkey_response')) return passkeySignIn(c, params, request)
    // The recovery codes page's "continue": signed in already, go on as a new request would.
    if (params.has('continue')) {
      const session = await authorization.loginSession(loginCookie.read(c))
      return proceed(c, params, request, session, { freshLogin: true, consented: false })
    }
    return signIn(c, params, request)
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
        return pages.login(c, {
          request,
          fields: carried(params, false),
          csrf: csrf.issue(c),
          username: request.loginHint ?? '',
          problem: null,
          passkey: passkeys,
        })
      case 'second-step':
      case 'enrol':
        return nextStep(c, params, request, decision)
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

  async function signIn(c: Context, params: AuthorizationParams, request: AuthorizationRequest) {
    const username = single(params, 'username') ?? ''
    const password = single(params, 'password') ?? ''
    const again = (status: number, message: string, field: 'username' | 'password') =>
      pages.login(
        c,
        {
          request,
          fields: carried(params, false),
          csrf: csrf.issue(c),
          username: username.slice(0, 256),
          problem: { message, field },
          passkey: passkeys,
        },
        status,
      )
    if (username === '' || username.length > 256) return again(200, 'Enter your username.', 'username')
    if (password === '') return again(200, 'Enter your password.', 'password')
    try {
      const result = await authorization.signIn(
        'password',
        { username, password, ...metaOf(c) },
        request,
        loginCookie.read(c),
      )
      return afterStep(c, params, request, result)
    } catch (err) {
      // The messages of /auth/login, word for word: the page says no more than the API.
      const refusal = refusalOf(c, err)
      return again(
        refusal.status,
        refusal.message,
        refusal.code === 'invalid_request' ? 'password' : 'username',
      )
    }
  }

  /** A passkey as the only step ("Sign in with a passkey" on the login page). */
  async function passkeySignIn(c: Context, params: AuthorizationParams, request: AuthorizationRequest) {
    const again = (status: number, message: string) =>
      pages.login(
        c,
        {
          request,
          fields: carried(params, false),
          csrf: csrf.issue(c),
          username: request.loginHint ?? '',
          problem: { message, field: 'username' },
          passkey: passkeys,
        },
        status,
      )
    const input = passkeyInputOf(params)
    if (input === null) return again(200, 'The passkey could not be used. Try again.')
    try {
      return afterStep(
        c,
        params,
        request,
        await authorization.signIn('passkey', { ...input, ...metaOf(c) }, request, loginCookie.read(c)),
      )
    } catch (err) {
      const refusal = refusalOf(c, err)
      return again(refusal.status, refusal.message)
    }
  }

  /** A post of the second page (or of enrolment) of a half-done sign-in. */
  async function secondStep(c: Context, params: AuthorizationParams, request: AuthorizationRequest) {
    const ticket = single(params, 'mfa_token') ?? ''
    const factors = (single(params, 'mfa_factors') ?? '')
      .split(' ')
      .filter((f): f is SecondFactor => SECOND_FACTORS.includes(f as SecondFactor))
    const restart = (message: string) =>
      pages.login(c, {
        request,
        fields: carried(params, false),
        csrf: csrf.issue(c),
        username: '',
        problem: { message, field: 'username' },
        passkey: passkeys,
      })
    const enrolOtp = single(params, 'enrol_otp')
    try {
      if (enrolOtp !== undefined) return await finishEnrolment(c, params, request, ticket, enrolOtp)
      const chosen = SECOND_STEPS.find((s) => params.has(s.field))
      if (chosen === undefined) return restart('Start again.')
      const input =
        chosen.step === 'passkey'
          ? passkeyInputOf(params)
          : { code: (single(params, chosen.field) ?? '').slice(0, 64) }
      if (input === null)
        throw new IssuerError('invalid_credentials', 'The passkey could not be used. Try again.')
      const result = await authorization.continueSignIn(
        ticket,
        chosen.step,
        { ...input, ...metaOf(c) },
        request,
        loginCookie.read(c),
      )
      return await afterStep(c, params, request, result)
    } catch (err) {
      if (err instanceof IssuerError && err.code === 'invalid_mfa_token') return restart(err.message)
      const refusal = refusalOf(c, err)
      return pages.secondStep(
        c,
        {
          request,
          fields: carried(params, false),
          csrf: csrf.issue(c),
          mfaToken: ticket,
          factors,
          problem: refusal.message,
        },
        refusal.status,
      )
    }
  }

  async function finishEnrolment(
    c: Context,
    params: AuthorizationParams,
    request: AuthorizationRequest,
    ticket: string,
    otp: string,
  ) {
    try {
      const done = await authorization.finishEnrolment(ticket, otp.slice(0, 16), loginCookie.read(c))
      if (done.secret !== null) loginCookie.set(c, done.secret)
      if (done.recoveryCodes === null) {
        return proceed(c, params, request, done.session, { freshLogin: true, consented: false })
      }
      return pages.recoveryCodes(c, {
        request,
        fields: carried(params, true),
        csrf: csrf.issue(c),
        codes: done.recoveryCodes,
      })
    } catch (err) {
      if (!(err instanceof IssuerError) || err.code === 'invalid_mfa_token') throw err
      const refusal = refusalOf(c, err)
      const enrolment = await authorization.beginEnrolment(ticket)
      return pages.enrol(
        c,
        {
          request,
          fields: carried(params, false),
          csrf: csrf.issue(c),
          mfaToken: ticket,
          ...enrolment,
          problem: refusal.message,
        },
        refusal.status,
      )
    }
  }

  /** Where a passed step leads: on with a login session, or the page of the next step. */
  async function afterStep(
    c: Context,
    params: AuthorizationParams,
    request: AuthorizationRequest,
    result: SignInResult,
  ): Promise<Response> {
    switch (result.kind) {
      case 'signed-in':
        if (result.secret !== null) loginCookie.set(c, result.secret)
        return proceed(c, params, request, result.session, { freshLogin: true, consented: false })
      case 'error':
        return redirectBack(
          c,
          request.redirectUri,
          stateOf(request, { error: result.error, error_description: result.description }),
        )
      default:
        return nextStep(c, params, request, result)
    }
  }

  async function nextStep(
    c: Context,
    params: AuthorizationParams,
    request: AuthorizationRequest,
    next: Extract<SignInResult, { kind: 'second-step' | 'enrol' }>,
  ): Promise<Response> {
    const page = { request, fields: carried(params, false), csrf: csrf.issue(c), mfaToken: next.ticket }
    if (next.kind === 'second-step')
      return pages.secondStep(c, { ...page, factors: next.factors, problem: null })
    return pages.enrol(c, { ...page, ...(await authorization.beginEnrolment(next.ticket)), problem: null })
  }

  /** A step's refusal as the page shows it (the wording of /auth/login); anything else is thrown on. */
  function refusalOf(c: Context, err: unknown): { status: number; message: string; code: string } {
    if (!(err instanceof IssuerError)) throw err
    if (err.code === 'rate_limited' && err.retryAfterSec !== undefined) {
      c.header('Retry-After', String(err.retryAfterSec))
      return { status: 429, message: err.message, code: err.code }
    }
    if (['invalid_credentials', 'user_disabled', 'invalid_request'].includes(err.code)) {
      return { status: 200, message: err.message, code: err.code }
    }
    throw err
  }

  function metaOf(c: Context) {
    return { clientIp: deps.clientAddress(c), userAgent: c.req.header('user-agent') ?? null }
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

/** The passkey form's fields: the challenge's id and the browser's JSON answer, or null. */
function passkeyInputOf(params: AuthorizationParams): { challengeId: string; response: unknown } | null {
  const challengeId = single(params, 'passkey_challenge') ?? ''
  const text = single(params, 'passkey_response') ?? ''
  if (
    challengeId === '' ||
    challengeId.length > 128 ||
    text === '' ||
    text.length > MAX_PASSKEY_RESPONSE_CHARS
  ) {
    return null
  }
  try {
    return { challengeId, response: JSON.parse(text) }
  } catch {
    return null
  }
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
