import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'

export interface HttpOnlyCookie {
  /** The name the browser sees (`__Host-` and the name when prefixed). */
  readonly name: string
  read(c: Context): string | undefined
  set(c: Context, value: string): void
  clear(c: Context): void
}

/**
 * A cookie scripts never see (httpOnly), on one path, with its SameSite and lifetime. `hostPrefix`:
 * when the cookie is Secure it is named `__Host-<name>` with `Path=/` and no `Domain`, so a sibling
 * subdomain cannot plant or shadow it (RFC 6265bis §4.1.3.2); a cookie that is not Secure (plain
 * http in development) cannot carry the prefix and keeps `name` and `path`.
 */
export function createHttpOnlyCookie(
  name: string,
  opts: {
    path: string
    sameSite: 'Strict' | 'Lax'
    secure: boolean
    maxAgeSec?: number
    hostPrefix?: boolean
  },
): HttpOnlyCookie {
  const prefixed = opts.hostPrefix === true && opts.secure
  const scope = {
    path: prefixed ? '/' : opts.path,
    secure: opts.secure,
    httpOnly: true,
    sameSite: opts.sameSite,
    ...(prefixed ? { prefix: 'host' as const } : {}),
  }
  return {
    name: prefixed ? `__Host-${name}` : name,
    read: (c) => (prefixed ? getCookie(c, name, 'host') : getCookie(c, name)),
    set: (c, value) =>
      setCookie(c, name, value, {
        ...scope,
        ...(opts.maxAgeSec === undefined ? {} : { maxAge: opts.maxAgeSec }),
      }),
    clear: (c) => deleteCookie(c, name, scope),
  }
}
