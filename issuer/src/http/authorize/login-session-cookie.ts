import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

/** The browser's login session at the issuer (single sign-on): httpOnly, SameSite=Lax, /oauth only. */
export const LOGIN_SESSION_COOKIE = 'tokensmith_login'
const COOKIE_PATH = '/oauth'

export interface LoginSessionCookie {
  read(c: Context): string | undefined
  set(c: Context, secret: string): void
  clear(c: Context): void
}

/**
 * Lax, not Strict: the browser must send it on the top-level navigation from another site to
 * /oauth/authorize, which is what makes single sign-on work. It lives as long as the session may.
 */
export function createLoginSessionCookie(opts: { secure: boolean; maxAgeSec: number }): LoginSessionCookie {
  return {
    read: (c) => getCookie(c, LOGIN_SESSION_COOKIE),
    set: (c, secret) =>
      setCookie(c, LOGIN_SESSION_COOKIE, secret, {
        httpOnly: true,
        secure: opts.secure,
        sameSite: 'Lax',
        path: COOKIE_PATH,
        maxAge: opts.maxAgeSec,
      }),
    clear: (c) =>
      deleteCookie(c, LOGIN_SESSION_COOKIE, {
        path: COOKIE_PATH,
        secure: opts.secure,
        httpOnly: true,
        sameSite: 'Lax',
      }),
  }
}
