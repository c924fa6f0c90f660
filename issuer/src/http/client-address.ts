import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'

/** The client's address: the first X-Forwarded-For hop behind a trusted proxy, else the socket's. */
export function clientAddressFrom(trustProxy: boolean): (c: Context) => string | null {
  return (c) => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim()
      if (forwarded) return forwarded.slice(0, 64)
    }
    try {
      return getConnInfo(c).remote.address ?? null
    } catch {
      return null // not behind @hono/node-server (in-process tests)
    }
  }
}
