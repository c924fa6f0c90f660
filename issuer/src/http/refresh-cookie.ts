import { createHttpOnlyCookie, type HttpOnlyCookie } from './http-only-cookie.ts'

/** Browsers get the refresh token only as this httpOnly cookie, scoped to the auth endpoints. */
export const REFRESH_COOKIE = 'tokensmith_rt'

export type RefreshCookie = HttpOnlyCookie

/** The refresh-token cookie: httpOnly, SameSite=Strict, on the auth path, living as long as the token may idle. */
export function createRefreshCookie(opts: { secure: boolean; maxAgeSec: number }): RefreshCookie {
  return createHttpOnlyCookie(REFRESH_COOKIE, { ...opts, path: '/auth', sameSite: 'Strict' })
}
