// Revoking one session or every session of a user (reporting what was live), and listing a user's
// live sessions: what logout, logout-all and the session list rest on.
import { describe, expect, it } from 'vitest'
import { addUser, DAY, invalid, rotateAt, startSession, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describeRevocationAndListing(target: ConformanceTarget): void {
  describe('revocation and listing', () => {
    const t = useStoreUnderTest(target)

    it('revokes one session once and reports whether it was live', async () => {
      const user = await addUser(t.store)
      const { session } = await startSession(t.store, user.id)
      expect(await t.store.revokeSession(session.id, 'logout', T0 + 10)).toBe(true)
      expect(await t.store.getSession(session.id)).toEqual({
        ...session,
        revokedAt: T0 + 10,
        revokedReason: 'logout',
      })
      expect(await t.store.revokeSession(session.id, 'again', T0 + 20)).toBe(false)
      expect((await t.store.getSession(session.id))?.revokedReason).toBe('logout')
      expect(await t.store.revokeSession('nope', 'logout', T0)).toBe(false)
      const expired = await startSession(t.store, user.id, T0, { absoluteMs: DAY })
      expect(await t.store.revokeSession(expired.session.id, 'logout', T0 + DAY)).toBe(false)
    })

    it("revokes every live session of one user and no one else's", async () => {
      const alice = await addUser(t.store)
      const bob = await addUser(t.store)
      const a1 = await startSession(t.store, alice.id)
      const a2 = await startSession(t.store, alice.id, T0 + 1)
      const a3 = await startSession(t.store, alice.id, T0 + 2)
      await t.store.revokeSession(a3.session.id, 'logout', T0 + 3)
      const b1 = await startSession(t.store, bob.id)
      expect(await t.store.revokeUserSessions(alice.id, 'logout_all', T0 + 100)).toBe(2)
      expect(await t.store.getSession(a1.session.id)).toMatchObject({
        revokedAt: T0 + 100,
        revokedReason: 'logout_all',
      })
      expect(await t.store.getSession(a2.session.id)).toMatchObject({ revokedReason: 'logout_all' })
      expect(await t.store.getSession(a3.session.id)).toMatchObject({
        revokedAt: T0 + 3,
        revokedReason: 'logout',
      })
      expect(await t.store.getSession(b1.session.id)).toMatchObject({ revokedAt: null })
      expect((await rotateAt(t.store, a1.tokenHash, T0 + 101)).result).toEqual(invalid('revoked'))
      expect((await rotateAt(t.store, b1.tokenHash, T0 + 101)).result.kind).toBe('rotated')
      expect(await t.store.revokeUserSessions(alice.id, 'logout_all', T0 + 200)).toBe(0)
    })

    it('lists only live sessions of the user, newest first', async () => {
      const alice = await addUser(t.store)
      const bob = await addUser(t.store)
      const now = T0 + 2 * DAY
      const older = await startSession(t.store, alice.id, T0)
      const newer = await startSession(t.store, alice.id, T0 + 1000)
      const revoked = await startSession(t.store, alice.id, T0 + 2000)
      await t.store.revokeSession(revoked.session.id, 'logout', T0 + 3000)
      await startSession(t.store, alice.id, T0, { absoluteMs: DAY }) // past its absolute lifetime
      await startSession(t.store, alice.id, T0, { idleMs: DAY }) // its only token idled out
      await startSession(t.store, bob.id, T0)
      // A rotated session stays listed, with its last use.
      const rotated = await rotateAt(t.store, newer.tokenHash, T0 + DAY)
      expect(rotated.result.kind).toBe('rotated')
      const listed = await t.store.listSessions(alice.id, now)
      expect(listed.map((s) => s.id)).toEqual([newer.session.id, older.session.id])
      expect(listed[0]).toEqual({ ...newer.session, lastUsedAt: T0 + DAY })
      expect(await t.store.listSessions('nobody', now)).toEqual([])
    })
  })
}
