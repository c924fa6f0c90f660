import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

/** Browsers get the refresh token only as this httpOnly cookie, scoped to the auth endpoints. */
export const REFRESH_COOKIE = 'tokensmith_rt'
const COOKIE_PATH = '/auth'

export interface RefreshCookie {
  read(c: Context): string | undefined
  set(c: Context, token: string): void
  clear(c: Context): void
}

/** The refresh-token cookie: httpOnly, SameSite=Strict, on the auth path, living as long as the token may idle. */
export function createRefreshCookie(opts: { secure: boolean; maxAgeSec: number }): RefreshCookie {
  return {
    read: (c) => getCookie(c, REFRESH_COOKIE),
    set: (c, token) =>
      setCookie(c, REFRESH_COOKIE, token, {
        httpOnly: true,
        secure: opts.secure,
        sameSite: 'Strict',
        path: COOKIE_PATH,
        maxAge: opts.maxAgeSec,
      }),
    clear: (c) =>
      deleteCookie(c, REFRESH_COOKIE, {
        path: COOKIE_PATH,
        secure: opts.secure,
        httpOnly: true,
        sameSite: 'Strict',
      }),
  }
}
