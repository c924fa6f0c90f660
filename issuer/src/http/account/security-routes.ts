import type { RegistrationResponseJSON } from '@simplewebauthn/server'
import { type Context, Hono } from 'hono'
import type { Authorization } from '../../core/authorization/create-authorization.ts'
import type { LoginSessionRecord } from '../../core/authorization/login-session-collection.ts'
import type { Clock } from '../../core/clock.ts'
import type { Logger } from '../../core/logger.ts'
import type { Mfa } from '../../core/mfa/create-mfa.ts'
import type { Passkeys } from '../../core/passkeys/create-passkeys.ts'
import type { Records } from '../../core/records/records.ts'
import { USERS, type UserRecord } from '../../core/users/user-collection.ts'
import { IssuerError } from '../../errors.ts'
import type { CsrfGuard } from '../authorize/csrf-guard.ts'
import { createHostedPages } from '../authorize/hosted-pages.ts'
import type { LoginSessionCookie } from '../authorize/login-session-cookie.ts'
import { setPageHeaders } from '../authorize/page-headers.ts'
import { passkeyInputOf } from '../authorize/passkey-input.ts'
import { formParamsOf, single } from '../authorize/raw-params.ts'
import { createSignInFlow, type SignInTarget } from '../authorize/sign-in-flow.ts'
import { ACCOUNT_PATHS } from '../endpoint-paths.ts'
import { type SecurityPageInput, securityPage } from './security-page.ts'

/** A change to how the user signs in needs a sign-in (or a fresh check) this recent. */
export const FRESH_SIGN_IN_SEC = 300

/** What the page needs of the user's TOTP and recovery codes (core/mfa). */
export type AccountFactors = Pick<
  Mfa,
  'factorsOf' | 'beginTotp' | 'confirmTotp' | 'removeTotp' | 'regenerateRecoveryCodes'
>

/** What the page needs of the user's passkeys (core/passkeys). */
export type AccountPasskeys = Pick<
  Passkeys,
  'registrationOptions' | 'authenticationOptions' | 'register' | 'list' | 'rename' | 'remove'
>

/**
 * `/account/security`: the signed-in user's second factors (the browser's login session, the
 * cookie of the hosted sign-in). Without a session it is the sign-in itself; every change needs
 * the anti-CSRF token and a sign-in or fresh check no older than FRESH_SIGN_IN_SEC.
 */
export function createSecurityRoutes(deps: {
  authorization: Authorization
  factors: AccountFactors
  /** Null: passkeys are not offered. */
  passkeys: AccountPasskeys | null
  records: Records
  csrf: CsrfGuard
  loginCookie: LoginSessionCookie
  clientAddress: (c: Context) => string | null
  clock: Clock
  logger: Logger
  maxFormBytes: number
}): Hono {
  const { authorization, factors, passkeys, csrf, loginCookie } = deps
  const pages = createHostedPages(deps.logger)
  const flow = createSignInFlow({ ...deps, pages })
  const path = ACCOUNT_PATHS.security
  const routes = new Hono()
  routes.onError(pages.onError)

  const target: SignInTarget = {
    for: { client: null, acr: null },
    page: { clientName: 'your sign-in security settings', action: `${path}/sign-in` },
    fields: () => new Map(),
    loginHint: '',
    signedIn: async (c) => c.redirect(path, 303),
    unmet: (c, _error, description) => pages.refused(c, 400, description),
  }

  routes.get(path, async (c) => {
    const signedIn = await current(c)
    if (signedIn === null) return flow.loginPage(c, target)
    return page(c, signedIn, { notice: null, panel: 'none' })
  })

  routes.post(`${path}/sign-in`, async (c) => {
    const params = await formParamsOf(c, deps.maxFormBytes)
    if (!csrf.check(c, single(params, 'csrf'))) return expiredForm(c)
    return flow.post(c, params, target)
  })

  // The options of "Confirm it is you" with a passkey: this user's own passkeys only.
  routes.post(`${path}/passkeys/reauth-options`, async (c) => {
    const params = await formParamsOf(c, deps.maxFormBytes)
    if (!csrf.check(c, single(params, 'csrf'))) return expiredForm(c)
    const signedIn = await current(c)
    if (signedIn === null || passkeys === null) throw new IssuerError('invalid_request', 'Sign in again.')
    c.header('Cache-Control', 'no-store')
    return c.json(await passkeys.authenticationOptions(signedIn.user.id))
  })

  routes.post(`${path}/passkeys/options`, async (c) => {
    const params = await formParamsOf(c, deps.maxFormBytes)
    if (!csrf.check(c, single(params, 'csrf'))) return expiredForm(c)
    const signedIn = await current(c)
    if (signedIn === null || passkeys === null) throw new IssuerError('invalid_request', 'Sign in again.')
    if (!fresh(signedIn.session))
      throw new IssuerError('insufficient_user_authentication', 'Confirm it is you first.')
    c.header('Cache-Control', 'no-store')
    return c.json(await passkeys.registrationOptions(signedIn.user))
  })

  routes.post(path, async (c) => {
    const params = await formParamsOf(c, deps.maxFormBytes)
    if (!csrf.check(c, single(params, 'csrf'))) return expiredForm(c)
    const signedIn = await current(c)
    if (signedIn === null) return flow.loginPage(c, target)
    const { user, session } = signedIn
    const action = single(params, 'action') ?? ''
    const keep = { loginSessionId: session.id }
    const done = (text: string) => page(c, signedIn, { notice: { text, problem: false }, panel: 'none' })
    const refused = (text: string, panel: SecurityPageInput['panel'] = 'none') =>
      page(c, signedIn, { notice: { text, problem: true }, panel })
    try {
      if (action === 'reauth' || action === 'reauth-passkey') {
        const input =
          action === 'reauth'
            ? { username: user.username, password: single(params, 'password') ?? '', ...metaOf(c) }
            : { ...passkeyAnswer(params), ...metaOf(c) }
        const renewed = await authorization.reauthenticate(
          action === 'reauth' ? 'password-recheck' : 'passkey',
          input,
          loginCookie.read(c),
        )
        return page(
          c,
          { user, session: renewed },
          { notice: { text: 'Confirmed. Make your change now.', problem: false }, panel: 'none' },
        )
      }
      if (!fresh(session)) {
        return page(c, signedIn, {
          notice: { text: 'Confirm it is you to make this change.', problem: false },
          panel: { kind: 'reauth', passkey: passkeys !== null },
        })
      }
      switch (action) {
        case 'totp-begin':
          return page(c, signedIn, {
            notice: null,
            panel: { kind: 'totp-setup', ...(await factors.beginTotp(user)) },
          })
        case 'totp-confirm': {
          const otp = (single(params, 'otp') ?? '').slice(0, 16)
          try {
            const { recoveryCodes } = await factors.confirmTotp(user.id, otp, keep)
            if (recoveryCodes === null) return done('The authenticator app is on.')
            return page(c, signedIn, {
              notice: { text: 'The authenticator app is on.', problem: false },
              panel: { kind: 'codes', codes: recoveryCodes },
            })
          } catch (err) {
            if (!(err instanceof IssuerError) || err.status >= 500) throw err
            return refused(err.message, { kind: 'totp-setup', ...(await factors.beginTotp(user)) })
          }
        }
        case 'totp-remove':
          return (await factors.removeTotp(user.id, keep))
            ? done('The authenticator app is off.')
            : refused('It was off.')
        case 'recovery-regenerate': {
          const codes = await factors.regenerateRecoveryCodes(user.id, keep)
          return page(c, signedIn, { notice: null, panel: { kind: 'codes', codes } })
        }
        case 'passkey-add': {
          if (passkeys === null) break
          const answer = passkeyAnswer<RegistrationResponseJSON>(params)
          const name = (single(params, 'name') ?? '').trim()
          await passkeys.register(user.id, { ...answer, name }, keep)
          return done('The passkey was added.')
        }
        case 'passkey-rename': {
          if (passkeys === null) break
          const renamed = await passkeys.rename(
            user.id,
            single(params, 'id') ?? '',
            (single(params, 'name') ?? '').trim(),
          )
          return renamed ? done('The passkey was renamed.') : refused('No such passkey.')
        }
        case 'passkey-remove': {
          if (passkeys === null) break
          const removed = await passkeys.remove(user.id, single(params, 'id') ?? '', keep)
          return removed ? done('The passkey was removed.') : refused('No such passkey.')
        }
      }
      return refused('That change is not offered here.')
    } catch (err) {
      // Refusals of a check (a wrong code or password, a passkey that failed) are shown on the page.
      if (err instanceof IssuerError && err.status < 500 && err.code !== 'invalid_mfa_token') {
        if (err.code === 'rate_limited' && err.retryAfterSec !== undefined)
          c.header('Retry-After', String(err.retryAfterSec))
        return refused(err.message)
      }
      throw err
    }
  })

  async function current(c: Context): Promise<{ user: UserRecord; session: LoginSessionRecord } | null> {
    const session = await authorization.loginSession(loginCookie.read(c))
    if (session === null) return null
    const user = await deps.records.get(USERS, { id: session.userId })
    return user === null || user.disabled ? null : { user, session }
  }

  function fresh(session: LoginSessionRecord): boolean {
    return deps.clock() - session.authTime <= FRESH_SIGN_IN_SEC * 1000
  }

  async function page(
    c: Context,
    signedIn: { user: UserRecord; session: LoginSessionRecord },
    p: Pick<SecurityPageInput, 'notice' | 'panel'>,
  ): Promise<Response> {
    const { user } = signedIn
    const have = await factors.factorsOf(user.id)
    const keys = passkeys === null ? null : await passkeys.list(user.id)
    setPageHeaders(c, undefined, { script: keys !== null || p.panel !== 'none' })
    return c.html(
      securityPage({
        action: path,
        csrf: csrf.issue(c),
        username: user.username,
        totp: have.totp,
        recoveryCodesLeft: have.recoveryCodesLeft,
        passkeys: keys,
        ...p,
      }),
    )
  }

  function expiredForm(c: Context) {
    deps.logger.info('account_csrf_refused', { clientIp: deps.clientAddress(c) })
    return pages.refused(c, 403, 'This form has expired or did not come from this site. Start again.')
  }

  /** The passkey form's challenge and answer; a missing or malformed one is a failed passkey. */
  function passkeyAnswer<T>(params: ReadonlyMap<string, readonly (string | null)[]>) {
    const answer = passkeyInputOf<T>(params)
    if (answer === null)
      throw new IssuerError('invalid_credentials', 'The passkey could not be used. Try again.')
    return answer
  }

  function metaOf(c: Context) {
    return { clientIp: deps.clientAddress(c), userAgent: c.req.header('user-agent') ?? null }
  }

  return routes
}
