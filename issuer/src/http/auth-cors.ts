import type { Context, MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { CSRF_HEADER } from './cookie-origin-policy.ts'

/**
 * CORS with credentials for allow-listed origins (preflight included); other origins get no
 * CORS header at all, and their OPTIONS requests fall through to the routes (404).
 */
export function authCors(allowedOrigin: (c: Context) => string | null): MiddlewareHandler {
  const withCors = cors({
    // Reached only for an allowed origin, which is echoed back.
    origin: (origin) => origin,
    credentials: true,
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['content-type', 'authorization', CSRF_HEADER],
    maxAge: 600,
  })
  // hono's cors sends Allow-Credentials and answers preflights whatever the origin: ask first.
  return (c, next) => (allowedOrigin(c) === null ? next() : withCors(c, next))
}
