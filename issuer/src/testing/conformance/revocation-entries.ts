// The revocation feed's source (docs/issuer.md, "Revocation feed"): the entries revocations write in
// their own step, read as deltas by a cursor that never skips or repeats an entry, also across
// instances. Entries last the store's revocation TTL (the default here: 15 min access tokens plus
// 60 s skew).
import { describe, expect, it } from 'vitest'
import { DEFAULT_REVOCATION_TTL_MS } from '../../core/revocations/revocation-store.ts'
import { addUser, MINUTE, startSession, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describeRevocationEntries(target: ConformanceTarget): void {
  describe('revocation entries', () => {
    const t = useStoreUnderTest(target)
    const TTL = DEFAULT_REVOCATION_TTL_MS

    if (target.options.sharedByInstances) {
      it('hands out every revocation sequence once, in commit order, to a reader polling deltas (two instances)', async () => {
        if (!t.openAnother) throw new Error(`${target.name}: sharedByInstances needs openAnother`)
        const other = t.openAnother()
        try {
          const user = await addUser(t.store)
          const sessions = await Promise.all(
            Array.from({ length: 30 }, (_, i) => startSession(t.store, user.id, T0 + i)),
          )
          const seen = new Map<string, number>()
          let since = 0
          let writing = true
          // A delta reader must never move its cursor past an entry it has not been served.
          const reader = (async () => {
            while (writing) {
              const page = await other.readRevocations(since, T0)
              for (const e of page.entries) seen.set(e.subject, e.seq)
              since = page.cursor
            }
          })()
          await Promise.all(
            sessions.map((s, i) =>
              (i % 2 ? t.store : other).revokeSession(s.session.id, 'logout', T0 + 100 + i),
            ),
          )
          writing = false
          await reader
          const last = await t.store.readRevocations(since, T0)
          for (const e of last.entries) seen.set(e.subject, e.seq)
          expect([...seen.keys()].sort()).toEqual(sessions.map((s) => s.session.id).sort())
          expect(new Set(seen.values()).size).toBe(sessions.length)
        } finally {
          await other.close()
        }
      })
    }

    it('writes a session entry when revokeSession ends a live session, and only then', async () => {
      const user = await addUser(t.store)
      const { session } = await startSession(t.store, user.id)
      expect(await t.store.readRevocations(0, T0)).toEqual({ cursor: 0, entries: [] })
      expect(await t.store.revokeSession(session.id, 'logout', T0 + 10)).toBe(true)
      const page = await t.store.readRevocations(0, T0 + 10)
      expect(page.entries).toEqual([
        { seq: page.cursor, kind: 'session', subject: session.id, at: T0 + 10, until: T0 + 10 + TTL },
      ])
      expect(page.cursor).toBeGreaterThan(0)
      expect(await t.store.revokeSession(session.id, 'again', T0 + 20)).toBe(false)
      expect(await t.store.revokeSession('nope', 'logout', T0 + 20)).toBe(false)
      expect(await t.store.readRevocations(page.cursor, T0 + 20)).toEqual({
        cursor: page.cursor,
        entries: [],
      })
    })

    it('writes a user entry on every revokeUserSessions, even with no live session; a later one replaces it', async () => {
      const alice = await addUser(t.store)
      await startSession(t.store, alice.id)
      expect(await t.store.revokeUserSessions(alice.id, 'logout_all', T0 + 100)).toBe(1)
      const first = await t.store.readRevocations(0, T0 + 100)
      expect(first.entries).toEqual([
        { seq: first.cursor, kind: 'user', subject: alice.id, at: T0 + 100, until: T0 + 100 + TTL },
      ])
      expect(await t.store.revokeUserSessions(alice.id, 'user_disabled', T0 + 200)).toBe(0)
      const second = await t.store.readRevocations(0, T0 + 200)
      expect(second.cursor).toBeGreaterThan(first.cursor)
      expect(second.entries).toEqual([
        { seq: second.cursor, kind: 'user', subject: alice.id, at: T0 + 200, until: T0 + 200 + TTL },
      ])
      // A delta from the first cursor carries the replacement.
      expect((await t.store.readRevocations(first.cursor, T0 + 200)).entries.map((e) => e.at)).toEqual([
        T0 + 200,
      ])
    })

    it('recordRevocation is idempotent: the same or an earlier instant changes nothing, a later one replaces', async () => {
      await t.store.recordRevocation('session', 'sid-1', T0 + 50)
      const once = await t.store.readRevocations(0, T0)
      await t.store.recordRevocation('session', 'sid-1', T0 + 50)
      await t.store.recordRevocation('session', 'sid-1', T0 + 10)
      const again = await t.store.readRevocations(0, T0)
      expect(again.entries).toEqual(once.entries)
      expect(again.entries).toHaveLength(1)
      expect((await t.store.readRevocations(once.cursor, T0)).entries).toEqual([])
      await t.store.recordRevocation('session', 'sid-1', T0 + 60)
      const later = await t.store.readRevocations(once.cursor, T0)
      expect(later.entries).toMatchObject([
        { kind: 'session', subject: 'sid-1', at: T0 + 60, until: T0 + 60 + TTL },
      ])
      // Kinds are separate: a user with the same id is its own entry.
      await t.store.recordRevocation('user', 'sid-1', T0 + 60)
      expect((await t.store.readRevocations(0, T0)).entries.map((e) => e.kind)).toEqual(['session', 'user'])
    })

    it('serves deltas in sequence order and never an entry past its until', async () => {
      await t.store.recordRevocation('session', 'a', T0)
      await t.store.recordRevocation('user', 'u', T0 + 1000)
      await t.store.recordRevocation('session', 'b', T0 + 2000)
      const all = await t.store.readRevocations(0, T0 + 2000)
      expect(all.entries.map((e) => e.subject)).toEqual(['a', 'u', 'b'])
      const seqs = all.entries.map((e) => e.seq)
      expect([...seqs].sort((x, y) => x - y)).toEqual(seqs)
      expect(all.cursor).toBe(seqs[2])
      expect((await t.store.readRevocations(seqs[0]!, T0 + 2000)).entries.map((e) => e.subject)).toEqual([
        'u',
        'b',
      ])
      // Past a's until (at + TTL) it is no longer served, though not yet purged.
      expect((await t.store.readRevocations(0, T0 + TTL)).entries.map((e) => e.subject)).toEqual(['u', 'b'])
      expect((await t.store.readRevocations(0, T0 + TTL + 2000)).entries).toEqual([])
    })

    it('purge drops entries past their until; the cursor never moves back', async () => {
      await t.store.recordRevocation('session', 'old', T0)
      await t.store.recordRevocation('session', 'kept', T0 + 10 * MINUTE)
      const before = await t.store.readRevocations(0, T0)
      expect(await t.store.purgeExpired(T0 + TTL + 1)).toBeGreaterThanOrEqual(1)
      const after = await t.store.readRevocations(0, T0)
      expect(after.entries.map((e) => e.subject)).toEqual(['kept'])
      expect(after.cursor).toBe(before.cursor)
      await t.store.recordRevocation('session', 'old', T0 + TTL + 2)
      const next = await t.store.readRevocations(before.cursor, T0 + TTL + 2)
      expect(next.entries.map((e) => e.subject)).toEqual(['old'])
      expect(next.cursor).toBeGreaterThan(before.cursor)
    })
  })
}
