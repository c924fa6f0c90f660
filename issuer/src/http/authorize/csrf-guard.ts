import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'
import type { Context } from 'hono'
import type { Clock } from '../../core/clock.ts'
import type { KeyRing } from '../../keys/key-ring.ts'
import { createHttpOnlyCookie } from '../http-only-cookie.ts'

/**
 * The browser half of the anti-CSRF pair: random, SameSite=Strict, a browser-session cookie; when
 * Secure, `__Host-tokensmith_csrf` on `/`, else `tokensmith_csrf` on the /oauth pages.
 */
export const CSRF_COOKIE = 'tokensmith_csrf'
const COOKIE_SHAPE = /^[A-Za-z0-9_-]{43}$/

export interface CsrfGuard {
  /** The token for the hidden `csrf` field; sets the cookie when the browser has none. */
  issue(c: Context): string
  /** Whether the post's `csrf` field is the token of the browser's cookie (constant time). */
  check(c: Context, field: string | undefined): boolean
}

/**
 * Signed double-submit (OWASP CSRF cheat sheet): the hidden field is an HMAC of the cookie, so
 * a page on another site can neither read the cookie nor forge the field, and a cookie planted
 * by a sibling domain is useless without the key. The key is derived from the current signing
 * key, which every instance shares: a form rendered before a key rotation is refused once.
 */
export function createCsrfGuard(deps: { keyRing: KeyRing; clock: Clock; secure: boolean }): CsrfGuard {
  const keys = new Map<string, Buffer>()
  const keyNow = (): Buffer => {
    const signing = deps.keyRing.signingKey(deps.clock())
    let key = keys.get(signing.kid)
    if (key === undefined) {
      const material = signing.privateKey.export({ type: 'pkcs8', format: 'der' })
      key = Buffer.from(hkdfSync('sha256', material, 'tokensmith', 'hosted-login csrf', 32))
      keys.set(signing.kid, key)
    }
    return key
  }
  const tokenOf = (cookie: string) => createHmac('sha256', keyNow()).update(cookie).digest()
  const csrfCookie = createHttpOnlyCookie(CSRF_COOKIE, {
    path: '/',
    sameSite: 'Strict',
    secure: deps.secure,
    hostPrefix: true,
  })

  return {
    issue(c) {
      let cookie = csrfCookie.read(c)
      if (cookie === undefined || !COOKIE_SHAPE.test(cookie)) {
        cookie = randomBytes(32).toString('base64url')
        csrfCookie.set(c, cookie)
      }
      return tokenOf(cookie).toString('base64url')
    },
    check(c, field) {
      const cookie = csrfCookie.read(c)
      if (cookie === undefined || !COOKIE_SHAPE.test(cookie) || field === undefined) return false
      const presented = Buffer.from(field, 'base64url')
      const expected = tokenOf(cookie)
      return presented.length === expected.length && timingSafeEqual(presented, expected)
    },
  }
}
