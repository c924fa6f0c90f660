import type { Context, ErrorHandler } from 'hono'
import type { AuthorizationRequest } from '../../core/authorization/check-authorization-request.ts'
import { consentScopeOf } from '../../core/authorization/consent-scope-of.ts'
import type { Logger } from '../../core/logger.ts'
import { IssuerError, OAuthError } from '../../errors.ts'
import { BROWSER_PATHS } from '../endpoint-paths.ts'
import {
  loggedAsStoreUnavailable,
  STORE_RETRY_AFTER_SEC,
  STORE_UNAVAILABLE_MESSAGE,
} from '../store-unavailable.ts'
import { consentPage } from './consent-page.ts'
import { enrolPage } from './enrol-page.ts'
import { errorPage } from './error-page.ts'
import { type LoginPageInput, loginPage } from './login-page.ts'
import { setPageHeaders } from './page-headers.ts'
import { recoveryCodesPage } from './recovery-codes-page.ts'
import { type SecondStepPageInput, secondStepPage } from './second-step-page.ts'

/**
 * Where a sign-in page belongs: the name of what the user signs in to, where its forms post,
 * and the redirect its answer may lead to (allowed in the page's `form-action`).
 */
export interface PageTarget {
  clientName: string
  action: string
  redirectTarget?: string
}

/** What every sign-in page is given: its target, the fields it carries, the CSRF token. */
type SignInPage = { target: PageTarget; fields: ReadonlyMap<string, string>; csrf: string }

export interface HostedPages {
  login(
    c: Context,
    p: Omit<LoginPageInput, 'clientName' | 'action'> & { target: PageTarget },
    status?: number,
  ): Response | Promise<Response>
  consent(
    c: Context,
    p: { request: AuthorizationRequest; username: string; fields: ReadonlyMap<string, string>; csrf: string },
  ): Response | Promise<Response>
  secondStep(
    c: Context,
    p: SignInPage & Pick<SecondStepPageInput, 'mfaToken' | 'factors' | 'problem'>,
    status?: number,
  ): Response | Promise<Response>
  enrol(
    c: Context,
    p: SignInPage & {
      mfaToken: string
      secret: string
      otpauthUri: string
      qrSvg: string
      problem: string | null
    },
    status?: number,
  ): Response | Promise<Response>
  recoveryCodes(c: Context, p: SignInPage & { codes: readonly string[] }): Response | Promise<Response>
  /** The error page: the browser stays at the issuer. */
  refused(c: Context, status: number, reason: string): Response | Promise<Response>
  /** Any error of a browser endpoint as a page: never a JSON body, never a 5xx for bad input. */
  onError: ErrorHandler
}

/** The hosted pages with their headers; a page that posts to a redirect allows its origin. */
export function createHostedPages(logger: Logger): HostedPages {
  const refused: HostedPages['refused'] = (c, status, reason) => {
    setPageHeaders(c)
    return c.html(errorPage(reason), status as 400)
  }
  return {
    login(c, p, status = 200) {
      const { target, ...page } = p
      setPageHeaders(c, target.redirectTarget, { script: p.passkey })
      return c.html(loginPage({ ...page, ...target }), status as 200)
    },
    consent(c, p) {
      setPageHeaders(c, p.request.redirectUri)
      return c.html(
        consentPage({
          clientName: p.request.client.name,
          username: p.username,
          scope: consentScopeOf(p.request),
          action: BROWSER_PATHS.authorization,
          fields: p.fields,
          csrf: p.csrf,
        }),
      )
    },
    secondStep(c, p, status = 200) {
      const { target, ...page } = p
      setPageHeaders(c, target.redirectTarget, { script: p.factors.includes('passkey') })
      return c.html(secondStepPage({ ...page, ...target }), status as 200)
    },
    enrol(c, p, status = 200) {
      const { target, ...page } = p
      setPageHeaders(c, target.redirectTarget)
      return c.html(enrolPage({ ...page, ...target }), status as 200)
    },
    recoveryCodes(c, p) {
      const { target, ...page } = p
      setPageHeaders(c, target.redirectTarget)
      return c.html(recoveryCodesPage({ ...page, ...target }))
    },
    refused,
    onError(err, c) {
      if (err instanceof IssuerError || err instanceof OAuthError) {
        if (err.status < 500) return refused(c, err.status === 401 ? 400 : err.status, err.message)
      }
      if (loggedAsStoreUnavailable(err, logger)) {
        c.header('Retry-After', String(STORE_RETRY_AFTER_SEC))
        setPageHeaders(c)
        return c.html(errorPage(STORE_UNAVAILABLE_MESSAGE, 'Sign-in is unavailable'), 503)
      }
      logger.error('unhandled_error', { name: err.name, path: c.req.path })
      setPageHeaders(c)
      return c.html(errorPage('The server failed to handle the request.', 'Sign-in failed'), 500)
    },
  }
}
