import { type Context, Hono } from 'hono'
import { streamSSE } from 'hono/streaming'
import type { RevocationFeed } from '../core/revocations/create-revocation-feed.ts'
import { REVOCATION_FEED_PATHS } from './endpoint-paths.ts'
import { etagMatches } from './jwks-response.ts'

/** The media type of the document: its JWS `typ` (RFC 8725 §3.11) under application/. */
export const REVOCATION_FEED_MEDIA_TYPE = 'application/revocation-feed+jwt'

export interface RevocationFeedRoutesDeps {
  feed: RevocationFeed
  /** How often an idle stream beats, which tells its follower the feed is still followed. */
  heartbeatMs: number
}

// The reconnection delay told to EventSource clients (the first event's `retry` field).
const RECONNECT_MS = 1000
// A cursor is a non-negative integer; a bounded length keeps it a safe integer.
const CURSOR = /^(0|[1-9][0-9]{0,14})$/

const badCursor = (c: Context, name: string) =>
  c.json({ code: 'invalid_request', error: `${name} must be a cursor the feed handed out.` }, 400)

const unavailable = (c: Context) => {
  c.header('Retry-After', '1')
  c.header('Cache-Control', 'no-store')
  return c.json({ code: 'feed_unavailable', error: 'The revocation feed cannot be read right now.' }, 503)
}

/**
 * The revocation feed (docs/issuer.md, "Revocation feed"): `GET /revocations[?since=cursor]`, a
 * signed document with a strong ETag and a one-second Cache-Control (304 on If-None-Match), and
 * `GET /revocations/stream`, Server-Sent Events (WHATWG HTML §9.2) resuming from Last-Event-ID:
 * each event's data is a signed delta and its id the cursor it brings the follower to.
 */
export function createRevocationFeedRoutes(deps: RevocationFeedRoutesDeps): Hono {
  const { feed } = deps
  const routes = new Hono()

  routes.get(REVOCATION_FEED_PATHS.document, async (c) => {
    const raw = c.req.query('since')
    if (raw !== undefined && !CURSOR.test(raw)) return badCursor(c, 'since')
    const doc = await feed.document(raw === undefined ? null : Number(raw))
    if (doc === null) return unavailable(c)
    c.header('Cache-Control', 'public, max-age=1')
    c.header('ETag', doc.etag)
    if (etagMatches(c.req.header('if-none-match'), doc.etag)) return c.body(null, 304)
    c.header('Content-Type', REVOCATION_FEED_MEDIA_TYPE)
    return c.body(doc.jws)
  })

  routes.get(REVOCATION_FEED_PATHS.stream, async (c) => {
    const raw = c.req.header('last-event-id') ?? c.req.query('since')
    if (raw !== undefined && raw !== '' && !CURSOR.test(raw)) return badCursor(c, 'Last-Event-ID')
    let sent: number | null = raw === undefined || raw === '' ? null : Number(raw)
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null
      let pending = true
      const unsubscribe = feed.subscribe(() => {
        pending = true
        wake?.()
      })
      stream.onAbort(() => {
        unsubscribe()
        wake?.()
      })
      try {
        let retry: number | undefined = RECONNECT_MS
        while (!stream.aborted && !stream.closed && !feed.stopped()) {
          if (pending) {
            pending = false
            const doc = await feed.document(sent)
            // Unavailable: nothing is sent, so the follower's staleness clock runs on.
            if (doc !== null) {
              await stream.writeSSE({
                event: 'feed',
                id: String(doc.cursor),
                data: doc.jws,
                ...(retry === undefined ? {} : { retry }),
              })
              sent = doc.cursor
              retry = undefined
            }
          }
          if (pending) continue
          const woken = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), deps.heartbeatMs)
            wake = () => {
              clearTimeout(timer)
              resolve(true)
            }
          })
          wake = null
          if (woken) continue
          // Nothing new: a small unsigned beat that says "still current at this cursor", sent only
          // while this instance reads the store. A follower counts it only at its own cursor.
          if (sent !== null && feed.fresh())
            await stream.writeSSE({ event: 'alive', id: String(sent), data: '' })
          else pending = true
        }
      } finally {
        unsubscribe()
      }
    })
  })

  return routes
}
