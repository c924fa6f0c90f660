import { createHash } from 'node:crypto'
import { CompactSign } from 'jose'
import { keyEventsAt } from '../../keys/key-events.ts'
import type { KeyRing } from '../../keys/key-ring.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import { createCryptoKeyCache } from '../tokens/crypto-key-cache.ts'
import { feedPayload, REVOCATION_FEED_TYP } from './feed-payload.ts'
import type { RevocationEntry, RevocationStore } from './revocation-store.ts'

export interface SignedFeedDocument {
  /** The compact JWS. */
  jws: string
  /** A strong ETag (RFC 9110 §8.8.3) of exactly these bytes. */
  etag: string
  cursor: number
}

export interface RevocationFeed {
  /**
   * The signed document: a snapshot when `since` is null (or ahead of the feed, e.g. a store that
   * was replaced), else the delta after it. Null while the store cannot be read: a stale feed is
   * never served as if it were current.
   */
  document(since: number | null): Promise<SignedFeedDocument | null>
  /** The feed's cursor now. */
  cursor(): number
  /** Whether this instance has read the store recently enough to serve the feed as current. */
  fresh(): boolean
  /** Called after every change (new entries, key events); returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** Reads the store once now (the poller does this on its own every interval). */
  poll(): Promise<void>
  /** Re-reads the key events from the key ring now (after a reload), telling followers at once. */
  keysChanged(): void
  /** Stops the poller and ends every stream (a shutting-down instance's followers go elsewhere). */
  stop(): void
  stopped(): boolean
}

export interface RevocationFeedDeps {
  store: Pick<RevocationStore, 'readRevocations'>
  keyRing: KeyRing
  clock: Clock
  logger: Logger
  issuer: string
  /** How often this instance reads the store for new entries: one reader for every follower. */
  pollIntervalMs: number
  /** The access-token lifetime plus skew: how long a retired key's event is told. */
  horizonMs: number
}

// Past this many intervals without a successful read the feed answers "unavailable".
const STALE_AFTER_POLLS = 8
const MAX_CACHED_DOCUMENTS = 64

/**
 * One instance's view of the feed: a poller keeps every entry still in force in memory (their
 * number is bounded by the endings of one access-token lifetime), so a snapshot or a delta for any
 * number of followers costs no store read; documents are signed once per (since, cursor, keys)
 * and shared. Entries past their `until` are dropped at each poll and never served.
 */
export function createRevocationFeed(deps: RevocationFeedDeps): RevocationFeed {
  const { store, keyRing, clock, logger } = deps
  const entries = new Map<string, RevocationEntry>()
  let cursor = 0
  let lastReadAt = Number.NEGATIVE_INFINITY
  let keysJson = ''
  let failing = false
  let isStopped = false
  const listeners = new Set<() => void>()
  const documents = new Map<string, Promise<SignedFeedDocument>>()
  const cryptoKeyFor = createCryptoKeyCache()

  const changed = () => {
    documents.clear()
    for (const listener of listeners) listener()
  }

  /** Whether the key events differ from the ones last told. */
  const readKeys = (now: number): boolean => {
    const keys = JSON.stringify(keyEventsAt(keyRing.schedule(now), now, deps.horizonMs))
    if (keys === keysJson) return false
    keysJson = keys
    return true
  }

  let polling: Promise<void> | null = null
  const readOnce = async (): Promise<void> => {
    const now = clock()
    try {
      const page = await store.readRevocations(cursor, now)
      // Nothing was served before the first good read (documents wait for it): a stream that
      // subscribed meanwhile gets that read in its snapshot, not again as a change.
      const served = lastReadAt !== Number.NEGATIVE_INFINITY
      lastReadAt = now
      if (failing) logger.info('revocation_feed_recovered', {})
      failing = false
      let dirty = page.cursor !== cursor
      for (const e of page.entries) entries.set(`${e.kind}:${e.subject}`, e)
      cursor = Math.max(cursor, page.cursor)
      for (const [id, e] of entries) {
        if (e.until <= now) {
          entries.delete(id)
          dirty = true
        }
      }
      if (readKeys(clock())) dirty = true
      if (dirty && served) changed()
    } catch (err) {
      if (!failing) logger.error('revocation_feed_read_failed', { name: (err as Error).name })
      failing = true
    }
  }
  const poll = (): Promise<void> => {
    polling ??= readOnce().finally(() => {
      polling = null
    })
    return polling
  }

  const timer = setInterval(poll, deps.pollIntervalMs)
  timer.unref()
  const first = poll()

  const sign = async (since: number | null): Promise<SignedFeedDocument> => {
    const now = clock()
    const selected = [...entries.values()]
      .filter((e) => e.until > now && (since === null || e.seq > since))
      .sort((a, b) => a.seq - b.seq)
    const payload = feedPayload(deps.issuer, cursor, since, selected, JSON.parse(keysJson))
    const signing = keyRing.signingKey(now)
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: REVOCATION_FEED_TYP })
      .sign(await cryptoKeyFor(signing))
    return { jws, etag: `"${createHash('sha256').update(jws).digest('base64url')}"`, cursor: payload.cursor }
  }

  return {
    async document(since) {
      await first
      if (isStopped) return null
      if (clock() - lastReadAt > STALE_AFTER_POLLS * deps.pollIntervalMs) {
        await poll()
        if (clock() - lastReadAt > STALE_AFTER_POLLS * deps.pollIntervalMs) return null
      }
      const from = since === null || since > cursor ? null : since
      const kid = keyRing.signingKey(clock()).kid
      const id = `${from}|${cursor}|${kid}`
      let doc = documents.get(id)
      if (!doc) {
        if (documents.size >= MAX_CACHED_DOCUMENTS) documents.clear()
        doc = sign(from)
        documents.set(id, doc)
        doc.catch(() => documents.delete(id))
      }
      return doc
    },
    cursor: () => cursor,
    fresh: () => !isStopped && clock() - lastReadAt <= STALE_AFTER_POLLS * deps.pollIntervalMs,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    poll,
    keysChanged() {
      // Before the first read the poller has not served anything yet; it reads the keys itself.
      if (lastReadAt !== Number.NEGATIVE_INFINITY && !isStopped && readKeys(clock())) changed()
    },
    stop() {
      clearInterval(timer)
      isStopped = true
      for (const listener of listeners) listener()
      listeners.clear()
    },
    stopped: () => isStopped,
  }
}
