import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { AccessTokenClaims } from '../claims/access-token-claims.ts'
import { VerifyError } from '../errors.ts'
import { fetchIssuerMetadata } from '../fetch-issuer-metadata.ts'
import { isHttpUrl } from '../is-http-url.ts'
import type { JwsAlgorithm } from '../jws/jws-algorithm.ts'
import { describeError } from '../keys/describe-error.ts'
import type { KeyCache } from '../keys/key-cache.ts'
import type { FeedPayload } from './parse-feed-payload.ts'
import { createRevocationList } from './revocation-list.ts'
import type { ResolvedRevocationOptions } from './revocation-options.ts'
import { createSseParser } from './sse-parser.ts'
import { MAX_FEED_DOCUMENT_CHARS, verifyFeedDocument } from './verify-feed-document.ts'

export interface RevocationFollower {
  /**
   * Throws `invalid_token` when the feed told the token's key retired. Asked before the key is
   * looked up: a retired key's tokens are refused at once, with no JWKS fetch, even while the key
   * cache is refetching the set the key left.
   */
  checkKey(kid: string, now: number): void
  /**
   * Throws `token_revoked` for a token the feed has ended (its `sid`, or its `sub` after its
   * `iat`), and `revocation_unavailable` when the feed is stale past the bound and the policy
   * fails closed. Memory lookups only: no I/O per token.
   */
  check(claims: AccessTokenClaims, now: number): void
  /** Resolves once the feed is found and a first document applied (or the attempt timed out). */
  ready(): Promise<void>
  /** Entries held (ended sessions, users, retired keys). */
  readonly size: number
  close(): void
}

export interface RevocationFollowerDeps {
  readonly issuer: string
  readonly fetch: typeof globalThis.fetch
  readonly clock: () => number
  readonly keys: KeyCache
  readonly algorithms: readonly JwsAlgorithm[]
  readonly fetchTimeoutMs: number
  readonly options: ResolvedRevocationOptions
  readonly onWarning: (message: string) => void
  /** The key events of every applied document. */
  readonly onKeyEvents: (events: FeedPayload['keys']) => void
}

const MAX_RECONNECT_MS = 30_000
const DISCOVERY_RETRY_MS = 5000
const STALENESS_CHECK_MS = 1000

function noop(): void {}

/**
 * Follows the issuer's revocation feed (advertised as `revocation_feed_endpoint` and
 * `revocation_feed_stream_endpoint` in its RFC 8414 metadata): the stream while it holds, the
 * document polled every `pollIntervalMs` while it does not, each document verified with the
 * verifier's keys before it is applied. Nothing here keeps the process alive.
 */
export function createRevocationFollower(deps: RevocationFollowerDeps): RevocationFollower {
  const { clock, options, onWarning } = deps
  const list = createRevocationList()
  let documentUrl: string | undefined
  let streamUrl: string | undefined
  let lastFreshAt = clock()
  let stale = false
  // Until the metadata says otherwise the issuer may have a feed, so unfollowed time counts.
  let following = true
  let closed = false
  let streaming = false
  let stream: { destroy(): void } | undefined
  let pollTimer: NodeJS.Timeout | undefined
  let reconnectTimer: NodeJS.Timeout | undefined
  let discoveryTimer: NodeJS.Timeout | undefined
  let reconnectMs = 1000
  let lastFailure = 'the revocation feed has not been read yet'
  let etag: { url: string; value: string } | undefined
  let applying: Promise<void> = Promise.resolve()
  let firstDocument: () => void = noop
  const first = new Promise<void>((resolve) => {
    firstDocument = resolve
  })

  const fresh = () => {
    lastFreshAt = clock()
    if (stale) {
      stale = false
      options.onStale(false, 'the revocation feed is followed again')
    }
    firstDocument()
  }

  const failed = (what: string, error: unknown) => {
    lastFailure = `${what}: ${describeError(error)}`
  }

  /** Documents are applied one at a time, in arrival order. */
  const handle = (jws: string): Promise<void> => {
    applying = applying.then(async () => {
      try {
        const payload = await verifyFeedDocument(jws, deps)
        if (!list.apply(payload, clock())) {
          // A delta after another cursor than ours: ask for ours.
          await pollOnce()
          return
        }
        deps.onKeyEvents(payload.keys)
        fresh()
      } catch (error) {
        failed('revocation feed document refused', error)
        onWarning(lastFailure)
      }
    })
    return applying
  }

  async function pollOnce(): Promise<void> {
    if (documentUrl === undefined || closed) return
    const url = list.cursor < 0 ? documentUrl : `${documentUrl}?since=${list.cursor}`
    try {
      const headers: Record<string, string> = {}
      if (etag?.url === url) headers['if-none-match'] = etag.value
      const response = await deps.fetch(url, { headers, signal: AbortSignal.timeout(deps.fetchTimeoutMs) })
      if (response.status === 304) {
        await response.body?.cancel()
        fresh()
        return
      }
      if (response.status !== 200) {
        await response.body?.cancel()
        throw new Error(`HTTP ${response.status}`)
      }
      const text = await response.text()
      const value = response.headers.get('etag')
      etag = value === null ? undefined : { url, value }
      // Not through `handle`: a poll may run inside it.
      const payload = await verifyFeedDocument(text, deps)
      if (list.apply(payload, clock())) {
        deps.onKeyEvents(payload.keys)
        fresh()
      }
    } catch (error) {
      failed('revocation feed poll failed', error)
    }
  }

  const startPolling = () => {
    if (pollTimer !== undefined || closed) return
    pollTimer = setInterval(() => {
      applying = applying.then(pollOnce)
    }, options.pollIntervalMs)
    pollTimer.unref()
    applying = applying.then(pollOnce)
  }
  const stopPolling = () => {
    if (pollTimer !== undefined) clearInterval(pollTimer)
    pollTimer = undefined
  }

  const streamDown = (why: string) => {
    streaming = false
    stream = undefined
    lastFailure = `revocation feed stream lost: ${why}`
    if (closed) return
    startPolling()
    if (reconnectTimer !== undefined) return
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined
      openStream()
    }, reconnectMs)
    reconnectTimer.unref()
    reconnectMs = Math.min(reconnectMs * 2, MAX_RECONNECT_MS)
  }

  function openStream(): void {
    if (streamUrl === undefined || closed) return
    const url = new URL(streamUrl)
    const headers: Record<string, string> = { accept: 'text/event-stream' }
    if (list.cursor >= 0) headers['last-event-id'] = String(list.cursor)
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    let ended = false
    const end = (why: string) => {
      if (ended) return
      ended = true
      streamDown(why)
    }
    const req = send(url, { headers })
    stream = req
    req.on('socket', (socket) => socket.unref())
    req.on('error', (error) => end(describeError(error)))
    req.on('response', (res: IncomingMessage) => {
      const type = res.headers['content-type'] ?? ''
      if (res.statusCode !== 200 || !type.startsWith('text/event-stream')) {
        res.resume()
        end(`HTTP ${res.statusCode}`)
        return
      }
      res.setEncoding('utf8')
      const parser = createSseParser((event) => {
        // A beat at our own cursor: nothing was missed, the feed is current.
        if (event.event === 'alive') {
          if (streaming && event.id === String(list.cursor)) fresh()
          return
        }
        if (event.event !== 'feed') return
        handle(event.data).then(() => {
          if (ended) return
          if (!streaming) {
            streaming = true
            reconnectMs = 1000
            stopPolling()
          }
        }, noop)
      }, MAX_FEED_DOCUMENT_CHARS)
      res.on('data', (chunk: string) => {
        try {
          parser.push(chunk)
        } catch (error) {
          req.destroy()
          end(describeError(error))
        }
      })
      res.on('end', () => end('closed by the issuer'))
      res.on('error', (error) => end(describeError(error)))
      res.on('close', () => end('closed'))
    })
    req.end()
  }

  async function discover(): Promise<void> {
    const answer = await fetchIssuerMetadata({
      fetch: deps.fetch,
      issuer: deps.issuer,
      name: 'oauth-authorization-server',
      signal: AbortSignal.timeout(deps.fetchTimeoutMs),
    })
    if (closed) return
    if (answer.kind === 'failed') {
      // Not known yet whether the issuer has a feed: ask again, and count the time as unfollowed.
      lastFailure = `revocation feed discovery failed: ${answer.detail}`
      discoveryTimer = setTimeout(() => discover().catch(noop), DISCOVERY_RETRY_MS)
      discoveryTimer.unref()
      return
    }
    const doc = answer.kind === 'found' ? answer.document : {}
    const documentMember = doc.revocation_feed_endpoint
    const streamMember = doc.revocation_feed_stream_endpoint
    if (!isHttpUrl(documentMember)) {
      // The issuer has no feed: nothing to follow, nothing to go stale.
      following = false
      documentUrl = undefined
      firstDocument()
      return
    }
    documentUrl = documentMember
    streamUrl = options.stream && isHttpUrl(streamMember) ? streamMember : undefined
    if (streamUrl === undefined) startPolling()
    else openStream()
  }

  const discovery = discover().catch((error) => failed('revocation feed discovery failed', error))

  const monitor = setInterval(() => {
    const now = clock()
    list.prune(now)
    if (!stale && following && now - lastFreshAt > options.maxStaleMs) {
      stale = true
      onWarning(`revocation feed stale: ${lastFailure}`)
      options.onStale(true, lastFailure)
    }
  }, STALENESS_CHECK_MS)
  monitor.unref()

  return {
    checkKey(kid, now) {
      if (list.retiredKey(kid, now)) {
        throw new VerifyError('invalid_token', {
          claim: 'kid',
          reason: 'unknown_key',
          detail: 'the signing key was retired (revocation feed)',
        })
      }
    },
    check(claims, now) {
      const by = list.revokedBy(claims.sid, claims.sub, claims.iat, now)
      if (by !== undefined) {
        throw new VerifyError('token_revoked', {
          claim: by,
          reason: 'revoked',
          detail: by === 'sid' ? 'the session was ended' : "the user's tokens were ended",
        })
      }
      if (options.failClosed && following && now - lastFreshAt > options.maxStaleMs) {
        throw new VerifyError('revocation_unavailable', { reason: 'stale', detail: lastFailure })
      }
    },
    async ready() {
      await discovery
      await Promise.race([
        first,
        // Held (not unref'd): a caller awaiting ready() keeps its process alive meanwhile.
        new Promise<void>((resolve) => setTimeout(resolve, deps.fetchTimeoutMs)),
      ])
    },
    get size() {
      return list.size
    },
    close() {
      closed = true
      stopPolling()
      clearInterval(monitor)
      if (reconnectTimer !== undefined) clearTimeout(reconnectTimer)
      if (discoveryTimer !== undefined) clearTimeout(discoveryTimer)
      stream?.destroy()
      firstDocument()
    },
  }
}
