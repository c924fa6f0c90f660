/** The bounds of key freshness, from the verifier options (seconds). */
export interface FreshnessBounds {
  /** Bounds applied to the JWKS response's Cache-Control max-age (absent: the upper bound). */
  readonly minCacheSec: number
  readonly maxCacheSec: number
  /** How long past its freshness the last good JWKS keeps verifying while refreshes fail. */
  readonly maxStaleSec: number
  /**
   * The longest wait between two fetches caused by unknown `kid`s: the unknown-kid refetch backs
   * off from one second, doubling after each refetch that did not find its kid, up to this. Also
   * the longest retry backoff.
   */
  readonly cooldownSec: number
}

/**
 * When fetched keys are fresh, when they may still verify, and when to fetch again. It holds only
 * times (milliseconds of the verifier's clock); the key cache tells it what happened.
 */
export interface FreshnessPolicy {
  /** A fetch starts: the unknown-kid cooldown counts from fetches of any kind. */
  fetchStarted(now: number): void
  /** A fetch brought keys (new ones, or a 304): returns when they stop being fresh. */
  fetchSucceeded(now: number, maxAgeSec: number | undefined): number
  /** A fetch failed: the next attempt backs off. */
  fetchFailed(now: number): void
  /** Whether keys that stopped being fresh at `freshUntil` may still verify at `now`. */
  withinStaleBound(freshUntil: number, now: number): boolean
  /** Keys restored from storage, fresh until `freshUntil`: usable within the stale bound, refresh due now. */
  restored(freshUntil: number, now: number): void
  /** Whether the keys in memory may verify at `now`. */
  usable(now: number): boolean
  /** Whether a background refresh is due: refresh-ahead reached and no retry pending. */
  refreshDue(now: number): boolean
  /** Whether a fetch may be tried again after failures. */
  retryDue(now: number): boolean
  /** Whether a token with an unknown `kid` may cause a refetch now. */
  unknownKidRefetchAllowed(now: number): boolean
  /** How long until an unknown-kid refetch is allowed (0: now). */
  unknownKidRefetchInMs(now: number): number
  /** An unknown-kid refetch ended: finding its kid resets the backoff, a miss doubles it. */
  unknownKidRefetched(now: number, found: boolean): void
  /** When the background timer should fire: the retry after a failure, else refresh-ahead; undefined: never. */
  nextRefreshAt(): number | undefined
}

/** Refresh in the background once this share of the freshness lifetime has passed. */
const REFRESH_AHEAD = 0.8
/**
 * The first retry after a failure, and the least time from any fetch to an unknown-kid refetch;
 * each further one waits twice as long, up to the cooldown.
 */
const FIRST_RETRY_MS = 1000
/**
 * Unknown-kid misses this far apart (in cooldowns) count as a new episode: the backoff starts
 * from a second again. A flood that never pauses that long stays at one refetch per cooldown.
 */
const QUIET_COOLDOWNS = 2

/** A policy before any fetch: no keys are usable, a fetch may start at once. */
export function createFreshnessPolicy(bounds: FreshnessBounds): FreshnessPolicy {
  const cooldownMs = bounds.cooldownSec * 1000
  const maxStaleMs = bounds.maxStaleSec * 1000
  let refreshAt = Number.POSITIVE_INFINITY
  let staleUntil = Number.NEGATIVE_INFINITY
  let failures = 0
  let nextAttemptAt = Number.NEGATIVE_INFINITY
  let lastFetchAt = Number.NEGATIVE_INFINITY
  /** Unknown-kid refetches in a row that did not find their kid, and when the last one was. */
  let misses = 0
  let lastMissAt = Number.NEGATIVE_INFINITY
  const firstUnknownKidMs = Math.min(FIRST_RETRY_MS, cooldownMs)
  const quiet = (now: number) => now - lastMissAt >= QUIET_COOLDOWNS * cooldownMs
  const unknownKidDelayMs = (now: number) =>
    quiet(now) ? firstUnknownKidMs : Math.min(firstUnknownKidMs * 2 ** misses, cooldownMs)

  return {
    fetchStarted(now) {
      lastFetchAt = now
    },
    fetchSucceeded(now, maxAgeSec) {
      const boundedMs =
        Math.min(Math.max(maxAgeSec ?? bounds.maxCacheSec, bounds.minCacheSec), bounds.maxCacheSec) * 1000
      refreshAt = now + boundedMs * REFRESH_AHEAD
      staleUntil = now + boundedMs + maxStaleMs
      failures = 0
      nextAttemptAt = Number.NEGATIVE_INFINITY
      return now + boundedMs
    },
    fetchFailed(now) {
      failures++
      nextAttemptAt = now + Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), cooldownMs)
    },
    withinStaleBound: (freshUntil, now) => now <= freshUntil + maxStaleMs,
    restored(freshUntil, now) {
      staleUntil = freshUntil + maxStaleMs
      refreshAt = now
    },
    usable: (now) => now <= staleUntil,
    refreshDue: (now) => now >= refreshAt && now >= nextAttemptAt,
    retryDue: (now) => now >= nextAttemptAt,
    unknownKidRefetchAllowed: (now) => now - lastFetchAt >= unknownKidDelayMs(now),
    unknownKidRefetchInMs: (now) => Math.max(0, lastFetchAt + unknownKidDelayMs(now) - now),
    unknownKidRefetched(now, found) {
      if (found) {
        misses = 0
        lastMissAt = Number.NEGATIVE_INFINITY
        return
      }
      if (quiet(now)) misses = 0
      misses++
      lastMissAt = now
    },
    nextRefreshAt() {
      const target = failures > 0 ? nextAttemptAt : refreshAt
      return Number.isFinite(target) ? target : undefined
    },
  }
}
