import type { KeyObject } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { VerifyError } from '../errors.ts'
import type { JwsAlgorithm } from '../jws/jws-algorithm.ts'
import { cacheMaxAge } from './cache-max-age.ts'
import { createJwksCacheFile } from './jwks-cache-file.ts'
import { buildKeySet, type KeySet } from './key-set.ts'

/** Where keys come from: the issuer over HTTP, a JWKS given in code, or a JWKS file. */
export type KeySource =
  | { readonly kind: 'remote'; readonly issuer: string; readonly jwksUri: string | undefined }
  | { readonly kind: 'static'; readonly keys: KeySet }
  | { readonly kind: 'file'; readonly path: string; readonly keys: KeySet }

export interface KeyCacheOptions {
  readonly source: KeySource
  readonly algorithms: readonly JwsAlgorithm[]
  readonly fetch: typeof globalThis.fetch
  readonly clock: () => number
  /** Bounds applied to the JWKS response's Cache-Control max-age (absent: the upper bound). */
  readonly minCacheSec: number
  readonly maxCacheSec: number
  /** Least time between two fetches caused by an unknown `kid`. */
  readonly cooldownSec: number
  /** How long past its freshness the last good JWKS keeps verifying while refreshes fail. */
  readonly maxStaleSec: number
  readonly fetchTimeoutMs: number
  readonly cacheFile: string | undefined
  /** Called with the new set of kids whenever a new JWKS is installed. */
  readonly onKeysChanged: (kids: ReadonlySet<string>) => void
  readonly onWarning: (message: string) => void
}

export interface KeyCache {
  /** Fast path: the key, if usable keys are in memory and one matches. Never fetches in line. */
  find(kid: string, alg: JwsAlgorithm, now: number): KeyObject | undefined
  /** Slow path after `find` missed: cache file, cold fetch, or one unknown-kid refetch per cooldown. */
  resolve(kid: string, alg: JwsAlgorithm): Promise<KeyObject>
  /** Resolves once usable keys are in memory; rejects with `keys_unavailable` otherwise. */
  ready(): Promise<void>
  /** Fetches (or re-reads) the keys now, joining a fetch already under way. */
  refresh(): Promise<void>
  close(): void
}

const MAX_DOCUMENT_CHARS = 1 << 20
/** Refresh in the background once this share of the freshness lifetime has passed. */
const REFRESH_AHEAD = 0.8
const MAX_TIMER_MS = 2 ** 31 - 1
const FIRST_RETRY_MS = 1000

function noop(): void {}

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false
  try {
    const { protocol } = new URL(value)
    return protocol === 'https:' || protocol === 'http:'
  } catch {
    return false
  }
}

async function readBounded(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0)
  if (declared > MAX_DOCUMENT_CHARS) {
    await response.body?.cancel()
    throw new Error('response too large')
  }
  const text = await response.text()
  if (text.length > MAX_DOCUMENT_CHARS) throw new Error('response too large')
  return text
}

function unknownKey(detail: string): VerifyError {
  return new VerifyError('invalid_token', { claim: 'kid', reason: 'unknown_key', detail })
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function createKeyCache(options: KeyCacheOptions): KeyCache {
  const { source, clock, algorithms } = options
  const cooldownMs = options.cooldownSec * 1000
  const maxStaleMs = options.maxStaleSec * 1000
  const cacheFile = options.cacheFile === undefined ? undefined : createJwksCacheFile(options.cacheFile)
  const issuer = source.kind === 'remote' ? source.issuer : ''
  const issuerBase = issuer.replace(/\/+$/, '')

  let keys: KeySet | undefined = source.kind === 'remote' ? undefined : source.keys
  let document: unknown
  let etag: string | undefined
  let refreshAt = Number.POSITIVE_INFINITY
  let staleUntil = source.kind === 'remote' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY
  let failures = 0
  let lastFailure = 'keys not loaded yet'
  let nextAttemptAt = Number.NEGATIVE_INFINITY
  let lastFetchAt = Number.NEGATIVE_INFINITY
  let inflight: Promise<void> | undefined
  let cacheFileLoad: Promise<void> | undefined
  let discoveredJwksUri: string | undefined
  let timer: NodeJS.Timeout | undefined
  let closed = false

  function install(next: KeySet): void {
    keys = next
    options.onKeysChanged(next.kids)
  }

  /** Sets freshness from a max-age in seconds and returns when the keys stop being fresh. */
  function setFreshness(now: number, maxAgeSec: number | undefined): number {
    const bounded = Math.min(
      Math.max(maxAgeSec ?? options.maxCacheSec, options.minCacheSec),
      options.maxCacheSec,
    )
    const freshUntil = now + bounded * 1000
    refreshAt = now + bounded * 1000 * REFRESH_AHEAD
    staleUntil = freshUntil + maxStaleMs
    return freshUntil
  }

  async function resolveJwksUri(signal: AbortSignal): Promise<string> {
    if (source.kind === 'remote' && source.jwksUri !== undefined) return source.jwksUri
    if (discoveredJwksUri !== undefined) return discoveredJwksUri
    const fallback = `${issuerBase}/.well-known/jwks.json`
    let response: Response
    try {
      response = await options.fetch(`${issuerBase}/.well-known/openid-configuration`, {
        headers: { accept: 'application/json' },
        signal,
      })
    } catch {
      return fallback // try discovery again next time
    }
    if (!response.ok) {
      await response.body?.cancel()
      // No discovery document here: remember the fallback. A server error: try again next time.
      if (response.status === 404 || response.status === 410) discoveredJwksUri = fallback
      return fallback
    }
    let doc: unknown
    try {
      doc = JSON.parse(await readBounded(response))
    } catch {
      return fallback
    }
    const { issuer: docIssuer, jwks_uri } = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<
      string,
      unknown
    >
    if (docIssuer === issuer && isHttpUrl(jwks_uri)) {
      discoveredJwksUri = jwks_uri
    } else {
      options.onWarning('discovery document ignored: its issuer does not match or it has no http(s) jwks_uri')
      discoveredJwksUri = fallback
    }
    return discoveredJwksUri
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
      options.onWarning(`could not write the JWKS cache file: ${describe(error)}`)
    }
  }

  async function fetchOnce(): Promise<void> {
    lastFetchAt = clock()
    const signal = AbortSignal.timeout(options.fetchTimeoutMs)
    try {
      const jwksUri = await resolveJwksUri(signal)
      const headers: Record<string, string> = { accept: 'application/jwk-set+json, application/json' }
      if (etag !== undefined && keys !== undefined) headers['if-none-match'] = etag
      const response = await options.fetch(jwksUri, { headers, signal })
      const maxAge = cacheMaxAge(response.headers.get('cache-control'))
      if (response.status === 304 && keys !== undefined) {
        await response.body?.cancel()
        etag = response.headers.get('etag') ?? etag
      } else if (response.status === 200) {
        const text = await readBounded(response)
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch {
          throw new Error('JWKS response is not JSON')
        }
        install(buildKeySet(parsed, algorithms))
        document = parsed
        etag = response.headers.get('etag') ?? undefined
      } else {
        await response.body?.cancel()
        throw new Error(`JWKS endpoint answered HTTP ${response.status}`)
      }
      const now = clock()
      const expiresAt = setFreshness(now, maxAge)
      failures = 0
      nextAttemptAt = Number.NEGATIVE_INFINITY
      await persist(jwksUri, now, expiresAt)
    } catch (error) {
      failures++
      nextAttemptAt = clock() + Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), cooldownMs)
      lastFailure = `JWKS refresh failed: ${describe(error)}`
      options.onWarning(keys === undefined ? lastFailure : `${lastFailure} (keeping the last good keys)`)
      throw new VerifyError('keys_unavailable', {
        reason: 'refresh_failed',
        detail: lastFailure,
        cause: error,
      })
    }
  }

  function schedule(): void {
    if (closed || source.kind !== 'remote') return
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    const target = failures > 0 ? nextAttemptAt : refreshAt
    if (!Number.isFinite(target)) return
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

  function refreshInBackgroundIfDue(now: number): void {
    if (now >= refreshAt && now >= nextAttemptAt && inflight === undefined && source.kind === 'remote') {
      fetchKeys().catch(noop)
    }
  }

  function loadCacheFile(): Promise<void> {
    cacheFileLoad ??= (async () => {
      if (cacheFile === undefined || source.kind !== 'remote') return
      let record: Awaited<ReturnType<typeof cacheFile.read>>
      try {
        record = await cacheFile.read()
      } catch (error) {
        options.onWarning(`JWKS cache file ignored: ${describe(error)}`)
        return
      }
      if (record === undefined || keys !== undefined) return
      if (record.issuer !== issuer || (source.jwksUri !== undefined && record.jwksUri !== source.jwksUri)) {
        options.onWarning('JWKS cache file ignored: it belongs to another issuer or JWKS URL')
        return
      }
      const now = clock()
      if (now > record.expiresAt + maxStaleMs) {
        options.onWarning('JWKS cache file ignored: older than maxStaleSec allows')
        return
      }
      try {
        install(buildKeySet(record.jwks, algorithms))
      } catch (error) {
        options.onWarning(`JWKS cache file ignored: ${describe(error)}`)
        return
      }
      document = record.jwks
      etag = record.etag
      staleUntil = record.expiresAt + maxStaleMs
      refreshAt = now
      refreshInBackgroundIfDue(now)
    })()
    return cacheFileLoad
  }

  function keyAfterFetch(kid: string, alg: JwsAlgorithm): KeyObject {
    if (keys === undefined || clock() > staleUntil) {
      throw new VerifyError('keys_unavailable', {
        reason: keys === undefined ? 'not_loaded' : 'stale',
        detail: lastFailure,
      })
    }
    const key = keys.get(kid, alg)
    if (key === undefined) throw unknownKey('no key matches the kid and alg')
    return key
  }

  return {
    find(kid, alg, now) {
      if (keys === undefined || now > staleUntil) return undefined
      refreshInBackgroundIfDue(now)
      return keys.get(kid, alg)
    },

    async resolve(kid, alg) {
      if (keys === undefined) await loadCacheFile()
      const now = clock()
      if (keys !== undefined && now <= staleUntil) {
        const key = keys.get(kid, alg)
        if (key !== undefined) return key
        if (source.kind !== 'remote') throw unknownKey('no key matches the kid and alg')
        if (inflight !== undefined) {
          await inflight.catch(noop)
        } else if (now - lastFetchAt >= cooldownMs) {
          await fetchKeys().catch(noop)
        } else {
          throw unknownKey('no key matches the kid and alg (refetch cooling down)')
        }
        return keyAfterFetch(kid, alg)
      }
      // No usable keys: never loaded, or stale past maxStaleSec. Fetch unless a retry is not due yet.
      if (inflight !== undefined) await inflight.catch(noop)
      else if (now >= nextAttemptAt) await fetchKeys().catch(noop)
      return keyAfterFetch(kid, alg)
    },

    async ready() {
      if (source.kind !== 'remote') return
      await loadCacheFile()
      if (keys !== undefined && clock() <= staleUntil) return
      await fetchKeys()
    },

    async refresh() {
      if (source.kind === 'remote') return fetchKeys()
      if (source.kind === 'file') {
        try {
          install(buildKeySet(JSON.parse(await readFile(source.path, 'utf8')), algorithms))
        } catch (error) {
          throw new VerifyError('keys_unavailable', {
            reason: 'refresh_failed',
            detail: `jwksFile reload failed: ${describe(error)}`,
            cause: error,
          })
        }
      }
    },

    close() {
      closed = true
      if (timer !== undefined) clearTimeout(timer)
      timer = undefined
    },
  }
}
