import type { KeyObject } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { VerifyError } from '../errors.ts'
import type { JwsAlgorithm } from '../jws/jws-algorithm.ts'
import { describeError } from './describe-error.ts'
import { createJwksUriDiscovery } from './discover-jwks-uri.ts'
import { fetchJwks } from './fetch-jwks.ts'
import { createFreshnessPolicy, type FreshnessBounds } from './freshness-policy.ts'
import { createJwksCacheFile } from './jwks-cache-file.ts'
import { buildKeySet, type KeySet } from './key-set.ts'
import { unknownKeyError } from './unknown-key-error.ts'

export interface KeyCacheOptions extends FreshnessBounds {
  readonly issuer: string
  /** The JWKS URL, or undefined to discover it from the issuer. */
  readonly jwksUri: string | undefined
  readonly algorithms: readonly JwsAlgorithm[]
  readonly fetch: typeof globalThis.fetch
  readonly clock: () => number
  readonly fetchTimeoutMs: number
  readonly cacheFile: string | undefined
  /** Called with the new set of kids whenever a new JWKS is installed. */
  readonly onKeysChanged: (kids: ReadonlySet<string>) => void
  readonly onWarning: (message: string) => void
}

/** The verifier's keys, whatever their source. */
export interface KeyCache {
  /** Fast path: the key, if usable keys are in memory and one matches. Never fetches in line. */
  find(kid: string, alg: JwsAlgorithm, now: number): KeyObject | undefined
  /** Slow path after `find` missed: cache file, cold fetch, or an unknown-kid refetch (backing off from 1 s). */
  resolve(kid: string, alg: JwsAlgorithm): Promise<KeyObject>
  /** Resolves once usable keys are in memory; rejects with `keys_unavailable` otherwise. */
  ready(): Promise<void>
  /** Fetches (or re-reads) the keys now, joining a fetch already under way. */
  refresh(): Promise<void>
  close(): void
}

const MAX_TIMER_MS = 2 ** 31 - 1
/**
 * A token whose kid is unknown waits for an unknown-kid refetch due in less than this instead of
 * being refused: a verifier that fetched the JWKS just before the issuer started signing with a new
 * key refuses nothing. Longer waits (a flood backed off) are refused at once, holding no request.
 */
const UNKNOWN_KID_WAIT_MS = 1000

function noop(): void {}

/**
 * The keys of an issuer's JWKS over HTTP. It composes discovery (where the JWKS is), fetching
 * (one bounded, conditional request) and the freshness policy (when keys are fresh, stale or
 * gone, and when to fetch); what it adds is single flight, the background timer and the cache file.
 */
export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const { issuer, jwksUri: givenJwksUri, clock, algorithms, onWarning } = options
  const policy = createFreshnessPolicy(options)
  const findJwksUri =
    givenJwksUri === undefined
      ? createJwksUriDiscovery({ issuer, fetch: options.fetch, onWarning })
      : () => Promise.resolve(givenJwksUri)
  const cacheFile = options.cacheFile === undefined ? undefined : createJwksCacheFile(options.cacheFile)

  let keys: KeySet | undefined
  /** The JWKS the keys were built from, and its ETag: what a conditional request and the cache file need. */
  let document: unknown
  let etag: string | undefined
  let lastFailure = 'keys not loaded yet'
  let inflight: Promise<void> | undefined
  let cacheFileLoad: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false

  function install(next: KeySet, from: unknown, nextEtag: string | undefined): void {
    keys = next
    document = from
    etag = nextEtag
    options.onKeysChanged(next.kids)
  }

  async function persist(jwksUri: string, fetchedAt: number, expiresAt: number): Promise<void> {
    if (cacheFile === undefined) return
    try {
      await cacheFile.write({
        version: 1,
        issuer,
        jwksUri,
        ...(etag === undefined ? {} : { etag }),
        fetchedAt,
        expiresAt,
        jwks: document,
      })
    } catch (error) {
      onWarning(`could not write the JWKS cache file: ${describeError(error)}`)
    }
  }

  async function fetchOnce(): Promise<void> {
    policy.fetchStarted(clock())
    // One timeout covers the attempt: discovery (when it is needed) and the JWKS request.
    const signal = AbortSignal.timeout(options.fetchTimeoutMs)
    try {
      const jwksUri = await findJwksUri(signal)
      const held = keys === undefined ? undefined : { etag }
      const result = await fetchJwks({ fetch: options.fetch, url: jwksUri, held, signal })
      if (result.modified) install(buildKeySet(result.document, algorithms), result.document, result.etag)
      else etag = result.etag
      const now = clock()
      const expiresAt = policy.fetchSucceeded(now, result.maxAgeSec)
      await persist(jwksUri, now, expiresAt)
    } catch (error) {
      policy.fetchFailed(clock())
      lastFailure = `JWKS refresh failed: ${describeError(error)}`
      onWarning(keys === undefined ? lastFailure : `${lastFailure} (keeping the last good keys)`)
      throw new VerifyError('keys_unavailable', {
        reason: 'refresh_failed',
        detail: lastFailure,
        cause: error,
      })
    }
  }

  function schedule(): void {
    if (closed) return
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const target = policy.nextRefreshAt()
    if (target === undefined) return
    timer = setTimeout(
      () => {
        timer = undefined
        fetchKeys().catch(noop)
      },
      Math.min(Math.max(0, target - clock()), MAX_TIMER_MS),
    )
    timer.unref()
  }

  /** Single flight: every caller during a fetch shares it. */
  function fetchKeys(): Promise<void> {
    inflight ??= fetchOnce().finally(() => {
      inflight = undefined
      schedule()
    })
    return inflight
  }

  /** Read through a function: TypeScript keeps `inflight` narrowed across an await otherwise. */
  const inflightFetch = (): Promise<void> | undefined => inflight

  function refreshInBackgroundIfDue(now: number): void {
    if (inflight === undefined && policy.refreshDue(now)) fetchKeys().catch(noop)
  }

  function loadCacheFile(): Promise<void> {
    cacheFileLoad ??= (async () => {
      if (cacheFile === undefined) return
      let record: Awaited<ReturnType<typeof cacheFile.read>>
      try {
        record = await cacheFile.read()
      } catch (error) {
        onWarning(`JWKS cache file ignored: ${describeError(error)}`)
        return
      }
      if (record === undefined || keys !== undefined) return
      if (record.issuer !== issuer || (givenJwksUri !== undefined && record.jwksUri !== givenJwksUri)) {
        onWarning('JWKS cache file ignored: it belongs to another issuer or JWKS URL')
        return
      }
      const now = clock()
      if (!policy.withinStaleBound(record.expiresAt, now)) {
        onWarning('JWKS cache file ignored: older than maxStaleSec allows')
        return
      }
      try {
        install(buildKeySet(record.jwks, algorithms), record.jwks, record.etag)
      } catch (error) {
        onWarning(`JWKS cache file ignored: ${describeError(error)}`)
        return
      }
      policy.restored(record.expiresAt, now)
      refreshInBackgroundIfDue(now)
    })()
    return cacheFileLoad
  }

  function keyAfterFetch(kid: string, alg: JwsAlgorithm): KeyObject {
    if (keys === undefined || !policy.usable(clock())) {
      throw new VerifyError('keys_unavailable', {
        reason: keys === undefined ? 'not_loaded' : 'stale',
        detail: lastFailure,
      })
    }
    const key = keys.get(kid, alg)
    if (key === undefined) throw unknownKeyError('no key matches the kid and alg')
    return key
  }

  return {
    find(kid, alg, now) {
      if (keys === undefined || !policy.usable(now)) return undefined
      refreshInBackgroundIfDue(now)
      return keys.get(kid, alg)
    },

    async resolve(kid, alg) {
      if (keys === undefined) await loadCacheFile()
      const now = clock()
      if (keys !== undefined && policy.usable(now)) {
        const key = keys.get(kid, alg)
        if (key !== undefined) return key
        if (inflight !== undefined) {
          await inflight.catch(noop)
          return keyAfterFetch(kid, alg)
        }
        const inMs = policy.unknownKidRefetchInMs(now)
        if (inMs >= UNKNOWN_KID_WAIT_MS) {
          throw unknownKeyError('no key matches the kid and alg (refetch backing off)')
        }
        if (inMs > 0) {
          // One ms more: a timer may fire up to a millisecond early against the wall clock (libuv
          // rounds its loop time), and the refetch below must then be allowed, not refused.
          await sleep(inMs + 1)
          // Another waiter may have refetched meanwhile: join it or use what it brought.
          if (keys?.get(kid, alg) !== undefined) return keyAfterFetch(kid, alg)
          const joined = inflightFetch()
          if (joined !== undefined) {
            await joined.catch(noop)
            return keyAfterFetch(kid, alg)
          }
          if (!policy.unknownKidRefetchAllowed(clock())) return keyAfterFetch(kid, alg)
        }
        await fetchKeys().catch(noop)
        policy.unknownKidRefetched(clock(), keys?.get(kid, alg) !== undefined)
        return keyAfterFetch(kid, alg)
      }
      // No usable keys: never loaded, or stale past maxStaleSec. Fetch unless a retry is not due yet.
      if (inflight !== undefined) await inflight.catch(noop)
      else if (policy.retryDue(now)) await fetchKeys().catch(noop)
      return keyAfterFetch(kid, alg)
    },

    async ready() {
      await loadCacheFile()
      if (keys !== undefined && policy.usable(clock())) return
      await fetchKeys()
    },

    refresh: () => fetchKeys(),

    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    },
  }
}
