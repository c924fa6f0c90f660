import type { Context } from 'hono'
import { IssuerError } from '../errors.ts'

/** Cookie-authenticated calls must carry this header: a cross-site form or plain link cannot. */
export const CSRF_HEADER = 'x-requested-with'

export interface CookieOriginPolicy {
  /** The request's Origin when it is allow-listed, else null. */
  allowedOrigin(c: Context): string | null
  /** Throws `forbidden_origin` unless the call may use the refresh cookie. */
  requireCookieContext(c: Context): void
}

/** Which origins may use the refresh cookie (and get CORS answers with credentials). */
export function createCookieOriginPolicy(origins: readonly string[]): CookieOriginPolicy {
  const allowedOrigin = (c: Context) => {
    const origin = c.req.header('origin')
    return origin !== undefined && origins.includes(origin) ? origin : null
  }
  return {
    allowedOrigin,
    requireCookieContext(c) {
      if (!allowedOrigin(c) || !c.req.header(CSRF_HEADER)) {
        throw new IssuerError(
          'forbidden_origin',
          `Cookie-based calls need an allowed Origin and the ${CSRF_HEADER} header.`,
        )
      }
    },
  }
}
