// Fixed-window counters (login and refresh abuse limits): hits and settlements, each one atomic step
// over several keys, exact under concurrency and never deadlocking whatever the keys' order.
import { describe, expect, it } from 'vitest'
import { hit, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describeCounters(target: ConformanceTarget): void {
  describe('counters', () => {
    const t = useStoreUnderTest(target)

    it('counts hits inside a fixed window', async () => {
      expect(await hit(t.store, 'ip:1', T0)).toEqual({ count: 1, resetAt: T0 + 60_000 })
      expect(await hit(t.store, 'ip:1', T0 + 10)).toEqual({ count: 2, resetAt: T0 + 60_000 })
      expect(await hit(t.store, 'ip:1', T0 + 59_999)).toEqual({ count: 3, resetAt: T0 + 60_000 })
      expect(await hit(t.store, 'ip:2', T0 + 10)).toEqual({ count: 1, resetAt: T0 + 60_010 })
    })

    it('starts a new window once the old one has ended', async () => {
      await hit(t.store, 'acct:x', T0)
      await hit(t.store, 'acct:x', T0 + 1)
      expect(await hit(t.store, 'acct:x', T0 + 60_000)).toEqual({ count: 1, resetAt: T0 + 120_000 })
    })

    it("hits several counters in one step, answering in the keys' order, each with its own window", async () => {
      expect(await t.store.hitCounters([], T0, 60_000)).toEqual([])
      await hit(t.store, 'a', T0)
      await hit(t.store, 'a', T0)
      await hit(t.store, 'b', T0 - 60_000)
      expect(await t.store.hitCounters(['b', 'a', 'c'], T0, 60_000)).toEqual([
        // b's window ended exactly now, a's runs on, c is new.
        { count: 1, resetAt: T0 + 60_000 },
        { count: 3, resetAt: T0 + 60_000 },
        { count: 1, resetAt: T0 + 60_000 },
      ])
      expect(await t.store.hitCounters(['c', 'b', 'a'], T0 + 60_000, 1000)).toEqual([
        { count: 1, resetAt: T0 + 61_000 },
        { count: 1, resetAt: T0 + 61_000 },
        { count: 1, resetAt: T0 + 61_000 },
      ])
    })

    it('settles in one step: reset removes a counter, release takes back one hit', async () => {
      for (let i = 0; i < 2; i++) await t.store.hitCounters(['acct:z', 'addr:z'], T0, 60_000)
      await t.store.settleCounters({ reset: ['acct:z'], release: ['addr:z'] })
      // Inside the old window: the reset counter starts a new one, the released one goes on.
      expect(await t.store.hitCounters(['acct:z', 'addr:z'], T0 + 5, 60_000)).toEqual([
        { count: 1, resetAt: T0 + 60_005 },
        { count: 2, resetAt: T0 + 60_000 },
      ])
      await t.store.settleCounters({ reset: [], release: ['acct:z', 'addr:z'] })
      expect(await t.store.hitCounters(['acct:z', 'addr:z'], T0 + 6, 60_000)).toEqual([
        { count: 1, resetAt: T0 + 60_005 },
        { count: 2, resetAt: T0 + 60_000 },
      ])
      await t.store.settleCounters({ reset: [], release: [] })
    })

    it('releases never below zero, and leaves unknown counters alone', async () => {
      for (let i = 0; i < 3; i++) await hit(t.store, 'acct:r', T0)
      await t.store.settleCounters({ reset: [], release: ['acct:r'] })
      await Promise.all(
        Array.from({ length: 4 }, () => t.store.settleCounters({ reset: [], release: ['acct:r'] })),
      )
      // Back at zero, not below: the next hit is the window's first again.
      expect(await hit(t.store, 'acct:r', T0 + 2)).toEqual({ count: 1, resetAt: T0 + 60_000 })
      await t.store.settleCounters({ reset: ['never-a'], release: ['never-b'] })
      expect(await t.store.hitCounters(['never-a', 'never-b'], T0 + 5, 60_000)).toEqual([
        { count: 1, resetAt: T0 + 60_005 },
        { count: 1, resetAt: T0 + 60_005 },
      ])
    })

    it('counts concurrent hits of the same keys exactly, whatever their order, each step whole', async () => {
      const states = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const [p, q] = i % 2 ? ['p', 'q'] : ['q', 'p']
          const [first, second] = await t.store.hitCounters([p!, q!], T0, 60_000)
          return p === 'p' ? { p: first!, q: second! } : { p: second!, q: first! }
        }),
      )
      const counts = (key: 'p' | 'q') => states.map((s) => s[key].count).sort((a, b) => a - b)
      expect(counts('p')).toEqual(Array.from({ length: 20 }, (_, i) => i + 1))
      expect(counts('q')).toEqual(counts('p'))
      // One step each: no other step came between its two hits.
      for (const s of states) expect(s.q.count).toBe(s.p.count)
    })

    it('counts concurrent hits and settles exactly, whatever the keys order', async () => {
      // As a login's: the reset key sorts before the released one. A store that took their
      // rows in another order than its hits do could deadlock.
      const errors: unknown[] = []
      await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const keys = i % 4 < 2 ? ['m1', 'm2'] : ['m2', 'm1']
          await t.store.hitCounters(keys, T0, 60_000)
          if (i % 2) await t.store.settleCounters({ reset: ['m1', `other:${i}`], release: ['m2'] })
        }).map((step) => step.catch((err: unknown) => errors.push(err))),
      )
      expect(errors).toEqual([])
      const [m1, m2] = await t.store.hitCounters(['m1', 'm2'], T0 + 1, 60_000)
      expect(m1!.count).toBeGreaterThanOrEqual(1)
      expect(m1!.count).toBeLessThanOrEqual(11)
      // 20 hits, 10 taken back, this one.
      expect(m2).toEqual({ count: 11, resetAt: T0 + 60_000 })
    })
  })
}
