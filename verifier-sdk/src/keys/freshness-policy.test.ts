import { describe, expect, it } from 'vitest'
import { createFreshnessPolicy } from './freshness-policy.ts'

const bounds = { minCacheSec: 30, maxCacheSec: 600, maxStaleSec: 3600, cooldownSec: 30 }
const T = 1_000_000

describe('freshness policy', () => {
  it('starts with nothing usable and a fetch allowed at once', () => {
    const policy = createFreshnessPolicy(bounds)
    expect(policy.usable(T)).toBe(false)
    expect(policy.retryDue(T)).toBe(true)
    expect(policy.unknownKidRefetchAllowed(T)).toBe(true)
    expect(policy.nextRefreshAt()).toBeUndefined()
  })

  it('bounds max-age, refreshes ahead of expiry, and keeps keys usable until maxStaleSec past it', () => {
    const policy = createFreshnessPolicy(bounds)
    expect(policy.fetchSucceeded(T, 100)).toBe(T + 100_000)
    expect(policy.nextRefreshAt()).toBe(T + 80_000)
    expect(policy.refreshDue(T + 79_999)).toBe(false)
    expect(policy.refreshDue(T + 80_000)).toBe(true)
    expect(policy.usable(T + 100_000 + 3_600_000)).toBe(true)
    expect(policy.usable(T + 100_000 + 3_600_001)).toBe(false)
    // Below, above and without a max-age.
    expect(policy.fetchSucceeded(T, 1)).toBe(T + 30_000)
    expect(policy.fetchSucceeded(T, 999_999)).toBe(T + 600_000)
    expect(policy.fetchSucceeded(T, undefined)).toBe(T + 600_000)
    expect(policy.fetchSucceeded(T, 0)).toBe(T + 30_000)
  })

  it('backs off retries from one second, doubling up to the cooldown, and a success resets it', () => {
    const policy = createFreshnessPolicy(bounds)
    policy.fetchSucceeded(T, 100)
    const waits = Array.from({ length: 7 }, () => {
      policy.fetchFailed(T)
      return (policy.nextRefreshAt() ?? 0) - T
    })
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000])
    expect([policy.retryDue(T + 29_999), policy.retryDue(T + 30_000)]).toEqual([false, true])
    // Keys fetched before the failures stay usable meanwhile.
    expect(policy.usable(T + 100_000)).toBe(true)
    policy.fetchSucceeded(T, 100)
    expect(policy.nextRefreshAt()).toBe(T + 80_000)
  })

  it('allows an unknown-kid refetch a second after any fetch, backing off to the cooldown on misses', () => {
    const policy = createFreshnessPolicy(bounds)
    policy.fetchStarted(T)
    expect([policy.unknownKidRefetchAllowed(T + 999), policy.unknownKidRefetchAllowed(T + 1000)]).toEqual([
      false,
      true,
    ])
    expect(policy.unknownKidRefetchInMs(T + 400)).toBe(600)
    // Random kids every 100 ms for ten minutes: when may they refetch?
    const at: number[] = []
    for (let now = T; now < T + 600_000; now += 100) {
      if (!policy.unknownKidRefetchAllowed(now)) continue
      policy.fetchStarted(now)
      policy.unknownKidRefetched(now, false)
      at.push(now - T)
    }
    expect(at.slice(0, 8)).toEqual([1000, 3000, 7000, 15_000, 31_000, 61_000, 91_000, 121_000])
    // The bound docs/keys.md states: at most 5 in any 60 s, 2 a minute while the flood lasts.
    const inWindow = (from: number) => at.filter((t) => t >= from && t < from + 60_000).length
    expect(Math.max(...at.map(inWindow))).toBe(5)
    expect(inWindow(300_000)).toBe(2)
  })

  it('resets the unknown-kid backoff when a refetch finds its kid, or after a quiet spell', () => {
    const policy = createFreshnessPolicy(bounds)
    const missAt = (now: number) => {
      policy.fetchStarted(now)
      policy.unknownKidRefetched(now, false)
    }
    for (const t of [0, 1000, 3000, 7000]) missAt(T + t)
    expect(policy.unknownKidRefetchInMs(T + 7000)).toBe(16_000)
    policy.fetchStarted(T + 23_000)
    policy.unknownKidRefetched(T + 23_000, true) // the issuer published the kid: a real rotation
    expect(policy.unknownKidRefetchInMs(T + 23_000)).toBe(1000)
    for (const t of [24_000, 26_000, 30_000, 38_000, 54_000, 84_000]) missAt(T + t)
    expect(policy.unknownKidRefetchInMs(T + 84_000)).toBe(30_000)
    // No unknown kid for two cooldowns: the next one is a new episode.
    expect(policy.unknownKidRefetchInMs(T + 84_000 + 59_999)).toBe(0)
    policy.fetchStarted(T + 150_000)
    expect(policy.unknownKidRefetchInMs(T + 150_000)).toBe(1000)
  })

  it('restores stored keys within the stale bound and wants a refresh at once', () => {
    const policy = createFreshnessPolicy(bounds)
    const freshUntil = T - 60_000
    expect(policy.withinStaleBound(freshUntil, T)).toBe(true)
    expect(policy.withinStaleBound(freshUntil, freshUntil + 3_600_001)).toBe(false)
    policy.restored(freshUntil, T)
    expect(policy.usable(freshUntil + 3_600_000)).toBe(true)
    expect(policy.refreshDue(T)).toBe(true)
  })
})
