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

  it('allows an unknown-kid refetch once per cooldown, counted from any fetch', () => {
    const policy = createFreshnessPolicy(bounds)
    policy.fetchStarted(T)
    expect(policy.unknownKidRefetchAllowed(T + 29_999)).toBe(false)
    expect(policy.unknownKidRefetchAllowed(T + 30_000)).toBe(true)
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
