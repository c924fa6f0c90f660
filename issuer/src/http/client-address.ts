import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'

/**
 * The client's address: behind a trusted proxy, the last X-Forwarded-For hop, the one that proxy
 * added (every earlier one came from the client, who can write anything there, so the login
 * limits per address would be theirs to dodge); else the socket's.
 */
export function clientAddressFrom(trustProxy: boolean): (c: Context) => string | null {
  return (c) => {
    if (trustProxy) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
      if (forwarded) return forwarded.slice(0, 64)
    }
    try {
      return getConnInfo(c).remote.address ?? null
    } catch {
      return null // not behind @hono/node-server (in-process tests)
    }
  }
}
