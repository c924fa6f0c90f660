// Remember-once (one use of a client assertion's `jti`, RFC 7523 §3): one caller takes a key until
// its instant, whatever the race; purge forgets what has passed.
import { describe, expect, it } from 'vitest'
import { DAY, MINUTE, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describeRememberOnce(target: ConformanceTarget): void {
  describe('rememberOnce', () => {
    const t = useStoreUnderTest(target)

    it('remembers a key until its instant, then takes it again', async () => {
      expect(await t.store.rememberOnce('jti:a', T0 + MINUTE, T0)).toBe(true)
      expect(await t.store.rememberOnce('jti:a', T0 + 5 * MINUTE, T0 + MINUTE - 1)).toBe(false)
      expect(await t.store.rememberOnce('jti:b', T0 + MINUTE, T0)).toBe(true)
      // At its until the old entry has passed: the key is remembered anew, with the new until.
      expect(await t.store.rememberOnce('jti:a', T0 + 3 * MINUTE, T0 + MINUTE)).toBe(true)
      expect(await t.store.rememberOnce('jti:a', T0 + 9 * MINUTE, T0 + 2 * MINUTE)).toBe(false)
      expect(await t.store.rememberOnce('jti:a', T0 + 9 * MINUTE, T0 + 3 * MINUTE)).toBe(true)
    })

    it('gives one key to exactly one of 20 concurrent callers', async () => {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => t.store.rememberOnce('jti:race', T0 + MINUTE, T0)),
      )
      expect(answers.filter(Boolean)).toHaveLength(1)
    })

    it('is forgotten by purge once passed, and kept while live', async () => {
      await t.store.rememberOnce('jti:old', T0 + MINUTE, T0)
      await t.store.rememberOnce('jti:new', T0 + DAY, T0)
      expect(await t.store.purgeExpired(T0 + 2 * MINUTE)).toBe(1)
      // Asked as of an instant when the old entry was live: only a purged entry answers true.
      expect(await t.store.rememberOnce('jti:old', T0 + 5 * MINUTE, T0 + 1)).toBe(true)
      expect(await t.store.rememberOnce('jti:new', T0 + DAY, T0 + 2 * MINUTE)).toBe(false)
    })
  })
}
