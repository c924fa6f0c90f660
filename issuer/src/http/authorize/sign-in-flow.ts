import type { Context } from 'hono'
import type { AuthorizationParams } from '../../core/authorization/check-authorization-request.ts'
import type { Authorization, SignInFor, SignInResult } from '../../core/authorization/create-authorization.ts'
import type { LoginSessionRecord } from '../../core/authorization/login-session-collection.ts'
import type { SecondFactor } from '../../core/mfa/create-mfa.ts'
import { IssuerError } from '../../errors.ts'
import type { CsrfGuard } from './csrf-guard.ts'
import type { HostedPages, PageTarget } from './hosted-pages.ts'
import type { LoginSessionCookie } from './login-session-cookie.ts'
import { passkeyInputOf } from './passkey-input.ts'
import { single } from './raw-params.ts'

/** What a sign-in is for, and where it goes once the user is signed in. */
export interface SignInTarget {
  for: SignInFor
  page: PageTarget
  /** The fields the pages carry; `signedIn`: after the sign-in (prompt=login and max_age met). */
  fields(signedIn: boolean): ReadonlyMap<string, string>
  loginHint: string
  signedIn(c: Context, session: LoginSessionRecord): Promise<Response>
  /** The request asks for more than the user can prove. */
  unmet(c: Context, error: string, description: string): Response | Promise<Response>
}

export interface SignInFlow {
  /** Whether a post carries a sign-in page's fields (and not only a request's own). */
  isSignInPost(params: AuthorizationParams): boolean
  /** A post of a sign-in page: the password, a passkey, a second step, enrolment, "continue". */
  post(c: Context, params: AuthorizationParams, target: SignInTarget): Promise<Response>
  /** The login page, empty. */
  loginPage(c: Context, target: SignInTarget): Response | Promise<Response>
  /** The page of the step a sign-in needs next. */
  nextStep(
    c: Context,
    target: SignInTarget,
    next: Extract<SignInResult, { kind: 'second-step' | 'enrol' }>,
  ): Promise<Response>
}

/** Form fields of the sign-in pages. */
export const SIGN_IN_FIELDS = [
  'username',
  'password',
  'mfa_token',
  'mfa_factors',
  'otp',
  'recovery_code',
  'enrol_otp',
  'passkey_challenge',
  'passkey_response',
  'continue',
] as const

/** How soon after the enrolment the recovery codes page's "continue" goes on without a sign-in. */
const CONTINUE_WITHIN_MS = 5 * 60 * 1000

/** The second page's fields, each a login step of core/mfa and core/passkeys. */
const SECOND_STEPS = [
  { field: 'otp', step: 'otp' },
  { field: 'recovery_code', step: 'recovery_code' },
  { field: 'passkey_response', step: 'passkey' },
] as const
const SECOND_FACTORS: readonly SecondFactor[] = ['otp', 'recovery_code', 'passkey']

/**
 * The hosted sign-in: the login page (password, or "Sign in with a passkey"), the second page
 * (`otp`, `recovery_code`, a passkey), enrolment when a factor is required and missing, and the
 * recovery codes shown once. The authorization endpoint and the account pages use it alike.
 */
export function createSignInFlow(deps: {
  authorization: Authorization
  pages: HostedPages
  csrf: CsrfGuard
  loginCookie: LoginSessionCookie
  clientAddress: (c: Context) => string | null
  clock: () => number
}): SignInFlow {
  const { authorization, pages, csrf, loginCookie } = deps
  // "Sign in with a passkey" only where the passkey step is configured.
  const passkey = authorization.offers('passkey')

  function loginPage(
    c: Context,
    t: SignInTarget,
    problem?: { status: number; message: string; field: 'username' | 'password'; username?: string },
  ) {
    return pages.login(
      c,
      {
        target: t.page,
        fields: t.fields(false),
        csrf: csrf.issue(c),
        username: problem?.username ?? t.loginHint,
        problem: problem === undefined ? null : { message: problem.message, field: problem.field },
        passkey,
      },
      problem?.status ?? 200,
    )
  }

  async function password(c: Context, params: AuthorizationParams, t: SignInTarget) {
    const username = single(params, 'username') ?? ''
    const secret = single(params, 'password') ?? ''
    const again = (status: number, message: string, field: 'username' | 'password') =>
      loginPage(c, t, { status, message, field, username: username.slice(0, 256) })
    if (username === '' || username.length > 256) return again(200, 'Enter your username.', 'username')
    if (secret === '') return again(200, 'Enter your password.', 'password')
    try {
      const input = { username, password: secret, ...metaOf(c) }
      return await afterStep(c, t, await authorization.signIn('password', input, t.for, loginCookie.read(c)))
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
  async function passkeyOnly(c: Context, params: AuthorizationParams, t: SignInTarget) {
    const again = (status: number, message: string) => loginPage(c, t, { status, message, field: 'username' })
    const input = passkeyInputOf(params)
    if (input === null) return again(200, 'The passkey could not be used. Try again.')
    try {
      const result = await authorization.signIn(
        'passkey',
        { ...input, ...metaOf(c) },
        t.for,
        loginCookie.read(c),
      )
      return await afterStep(c, t, result)
    } catch (err) {
      const refusal = refusalOf(c, err)
      return again(refusal.status, refusal.message)
    }
  }

  /** A post of the second page (or of enrolment) of a half-done sign-in. */
  async function secondStep(c: Context, params: AuthorizationParams, t: SignInTarget) {
    const ticket = single(params, 'mfa_token') ?? ''
    const factors = (single(params, 'mfa_factors') ?? '')
      .split(' ')
      .filter((f): f is SecondFactor => SECOND_FACTORS.includes(f as SecondFactor))
    const enrolOtp = single(params, 'enrol_otp')
    try {
      if (enrolOtp !== undefined) return await finishEnrolment(c, t, ticket, enrolOtp)
      const chosen = SECOND_STEPS.find((s) => params.has(s.field))
      if (chosen === undefined)
        return loginPage(c, t, { status: 200, message: 'Start again.', field: 'username' })
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
        t.for,
        loginCookie.read(c),
      )
      return await afterStep(c, t, result)
    } catch (err) {
      if (err instanceof IssuerError && err.code === 'invalid_mfa_token') {
        return loginPage(c, t, { status: 200, message: err.message, field: 'username' })
      }
      const refusal = refusalOf(c, err)
      return pages.secondStep(
        c,
        {
          target: t.page,
          fields: t.fields(false),
          csrf: csrf.issue(c),
          mfaToken: ticket,
          factors,
          problem: refusal.message,
        },
        refusal.status,
      )
    }
  }

  async function finishEnrolment(c: Context, t: SignInTarget, ticket: string, otp: string) {
    try {
      const done = await authorization.finishEnrolment(ticket, otp.slice(0, 16), loginCookie.read(c))
      if (done.secret !== null) loginCookie.set(c, done.secret)
      if (done.recoveryCodes === null) return t.signedIn(c, done.session)
      return pages.recoveryCodes(c, {
        target: t.page,
        fields: t.fields(true),
        csrf: csrf.issue(c),
        codes: done.recoveryCodes,
      })
    } catch (err) {
      if (!(err instanceof IssuerError) || err.code === 'invalid_mfa_token') throw err
      const refusal = refusalOf(c, err)
      const enrolment = await authorization.beginEnrolment(ticket)
      const page = { target: t.page, fields: t.fields(false), csrf: csrf.issue(c), mfaToken: ticket }
      return pages.enrol(c, { ...page, ...enrolment, problem: refusal.message }, refusal.status)
    }
  }

  /** Where a passed step leads: on with a login session, or the page of the next step. */
  async function afterStep(c: Context, t: SignInTarget, result: SignInResult): Promise<Response> {
    switch (result.kind) {
      case 'signed-in':
        if (result.secret !== null) loginCookie.set(c, result.secret)
        return t.signedIn(c, result.session)
      case 'error':
        return t.unmet(c, result.error, result.description)
      default:
        return nextStep(c, t, result)
    }
  }

  async function nextStep(
    c: Context,
    t: SignInTarget,
    next: Extract<SignInResult, { kind: 'second-step' | 'enrol' }>,
  ): Promise<Response> {
    const page = { target: t.page, fields: t.fields(false), csrf: csrf.issue(c), mfaToken: next.ticket }
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

  return {
    isSignInPost: (params) => SIGN_IN_FIELDS.some((f) => params.has(f)),
    async post(c, params, t) {
      if (params.has('mfa_token')) return secondStep(c, params, t)
      if (params.has('passkey_response')) return passkeyOnly(c, params, t)
      // The recovery codes page's "continue": signed in a moment ago (the enrolment), go on. An
      // older login session does not skip the sign-in a request asked for (prompt=login, max_age).
      if (params.has('continue')) {
        const session = await authorization.loginSession(loginCookie.read(c))
        const justNow = session !== null && deps.clock() - session.authTime <= CONTINUE_WITHIN_MS
        return justNow ? t.signedIn(c, session) : loginPage(c, t)
      }
      return password(c, params, t)
    },
    loginPage: (c, t) => loginPage(c, t),
    nextStep,
  }
}
