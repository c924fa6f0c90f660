import { createHttpOnlyCookie, type HttpOnlyCookie } from '../http-only-cookie.ts'

/**
 * The browser's login session at the issuer (single sign-on): httpOnly, SameSite=Lax; when Secure,
 * `__Host-tokensmith_login`, else `tokensmith_login`; on `/`, where the account pages (/account) read it too.
 */
export const LOGIN_SESSION_COOKIE = 'tokensmith_login'

export type LoginSessionCookie = HttpOnlyCookie

/**
 * Lax, not Strict: the browser must send it on the top-level navigation from another site to
 * /oauth/authorize, which is what makes single sign-on work. It lives as long as the session may.
 */
export function createLoginSessionCookie(opts: { secure: boolean; maxAgeSec: number }): LoginSessionCookie {
  return createHttpOnlyCookie(LOGIN_SESSION_COOKIE, {
    ...opts,
    path: '/',
    sameSite: 'Lax',
    hostPrefix: true,
  })
}
