import { describe, expect, it } from 'vitest'
import type { CounterState } from '../store.ts'
import { createLoginLimiter } from './create-login-limiter.ts'

/** The two counter operations of the store port, over a map (fixed windows, one process). */
function fakeCounters() {
  const counters = new Map<string, CounterState>()
  return {
    counters,
    async hitCounters(keys: readonly string[], now: number, windowMs: number): Promise<CounterState[]> {
      return keys.map((key) => {
        const c = counters.get(key)
        const next =
          !c || c.resetAt <= now ? { count: 1, resetAt: now + windowMs } : { ...c, count: c.count + 1 }
        counters.set(key, next)
        return next
      })
    },
    async settleCounters(settle: { reset: readonly string[]; release: readonly string[] }) {
      for (const key of settle.reset) counters.delete(key)
      for (const key of settle.release) {
        const c = counters.get(key)
        if (c && c.count > 0) counters.set(key, { ...c, count: c.count - 1 })
      }
    },
  }
}

const T0 = 1_700_000_000_000
const config = { loginWindowSec: 60, loginMaxFailuresPerAccount: 3, loginMaxFailuresPerAddress: 5 }

describe('createLoginLimiter', () => {
  it('counts each attempt up front and says which one takes the last try', async () => {
    const store = fakeCounters()
    const limiter = createLoginLimiter({ store, config })
    const attempts = []
    for (let i = 0; i < 3; i++) attempts.push(await limiter.attempt('alice', '192.0.2.1', T0))
    expect(attempts.map((a) => a.lastForAccount)).toEqual([false, false, true])
    expect(attempts.map((a) => a.lastForAddress)).toEqual([false, false, false])
    expect(store.counters.get('login:account:alice')?.count).toBe(3)
    expect(store.counters.get('login:address:192.0.2.1')?.count).toBe(3)
  })

  it('refuses over either limit with retryAfterSec, and gives the refused hit back', async () => {
    const store = fakeCounters()
    const limiter = createLoginLimiter({ store, config })
    for (let i = 0; i < 3; i++) await limiter.attempt('alice', '192.0.2.1', T0)
    const refused = limiter.attempt('alice', '192.0.2.9', T0 + 20_500)
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited', retryAfterSec: 40, status: 429 })
    // The refusal was not an attempt: neither counter moved.
    expect(store.counters.get('login:account:alice')?.count).toBe(3)
    expect(store.counters.get('login:address:192.0.2.9')?.count).toBe(0)

    for (let i = 0; i < 5; i++) await limiter.attempt(`user${i}`, null, T0)
    await expect(limiter.attempt('other', null, T0 + 59_999)).rejects.toMatchObject({ retryAfterSec: 1 })
    expect(store.counters.get('login:address:unknown')?.count).toBe(5)
  })

  it('on success resets the account and releases the address hit', async () => {
    const store = fakeCounters()
    const limiter = createLoginLimiter({ store, config })
    await limiter.attempt('alice', '192.0.2.1', T0)
    await limiter.attempt('bob', '192.0.2.1', T0)
    await limiter.succeeded('bob', '192.0.2.1')
    expect(store.counters.has('login:account:bob')).toBe(false)
    expect(store.counters.get('login:account:alice')?.count).toBe(1)
    expect(store.counters.get('login:address:192.0.2.1')?.count).toBe(1)
  })
})
