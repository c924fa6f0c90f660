import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

export interface HttpOnlyCookie {
  read(c: Context): string | undefined
  set(c: Context, value: string): void
  clear(c: Context): void
}

/** A cookie scripts never see (httpOnly), on one path, with its SameSite and lifetime. */
export function createHttpOnlyCookie(
  name: string,
  opts: { path: string; sameSite: 'Strict' | 'Lax'; secure: boolean; maxAgeSec: number },
): HttpOnlyCookie {
  const scope = { path: opts.path, secure: opts.secure, httpOnly: true, sameSite: opts.sameSite }
  return {
    read: (c) => getCookie(c, name),
    set: (c, value) => setCookie(c, name, value, { ...scope, maxAge: opts.maxAgeSec }),
    clear: (c) => deleteCookie(c, name, scope),
  }
}
