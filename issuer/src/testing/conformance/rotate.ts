// Refresh rotation (docs/issuer.md, "Refresh rotation"), the heart of the system: one step that
// consumes the presented token and records its one successor, whatever the races, retries, reuse,
// expiries, disabled or deleted users and wrong clients; also across instances sharing the store.
import { describe, expect, it } from 'vitest'
import type { Store } from '../../core/store.ts'
import { USERS } from '../../core/users/user-collection.ts'
import {
  ABSOLUTE,
  addUser,
  DAY,
  GRACE,
  IDLE,
  invalid,
  newHash,
  rotateAt,
  sealedFor,
  startSession,
  T0,
} from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describeRotate(target: ConformanceTarget): void {
  describe('rotate', () => {
    const t = useStoreUnderTest(target)

    if (target.options.sharedByInstances) {
      it('keeps at most one successor when two instances race 25 refreshes each with one token', async () => {
        if (!t.openAnother) throw new Error(`${target.name}: sharedByInstances needs openAnother`)
        const other = t.openAnother()
        try {
          const user = await addUser(t.store)
          const { session, tokenHash } = await startSession(t.store, user.id)
          const attempt = (s: Store) => {
            const hash = newHash()
            return s
              .rotate({
                tokenHash,
                now: T0 + 1000,
                clientId: null,
                graceMs: GRACE,
                successor: { hash, idleExpiresAt: T0 + 1000 + IDLE, sealed: sealedFor(hash) },
              })
              .then((result) => ({ result, hash }))
          }
          const results = await Promise.all(
            Array.from({ length: 50 }, (_, i) => attempt(i % 2 ? t.store : other)),
          )
          const rotated = results.filter((r) => r.result.kind === 'rotated')
          expect(rotated).toHaveLength(1)
          const winner = rotated[0]!.hash
          // Every other attempt was handed the winner's successor: no second successor exists.
          for (const r of results.filter((x) => x.result.kind !== 'rotated')) {
            expect(r.result).toMatchObject({ kind: 'replayed', sealedSuccessor: sealedFor(winner) })
          }
          expect(await other.findToken(winner)).toMatchObject({ consumedAt: null, generation: 2 })
          for (const r of results.filter((x) => x.hash !== winner))
            expect(await t.store.findToken(r.hash)).toBeNull()
          expect((await t.store.listSessions(user.id, T0 + 2000)).map((s) => s.id)).toEqual([session.id])
        } finally {
          await other.close()
        }
      })
    }

    it('rotates a live token: consumes it and records one successor, generation + 1', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const now = T0 + 60_000
      const { result, successorHash } = await rotateAt(t.store, tokenHash, now)
      expect(result).toEqual({
        kind: 'rotated',
        generation: 2,
        session: { ...session, lastUsedAt: now },
        roles: ['reader'],
      })
      expect(await t.store.findToken(tokenHash)).toMatchObject({ consumedAt: now, generation: 1 })
      expect(await t.store.findToken(successorHash)).toEqual({
        hash: successorHash,
        sessionId: session.id,
        generation: 2,
        createdAt: now,
        idleExpiresAt: now + IDLE,
        consumedAt: null,
      })
      const next = await rotateAt(t.store, successorHash, now + 60_000)
      expect(next.result).toMatchObject({ kind: 'rotated', generation: 3 })
    })

    it('answers unknown for a token it never issued', async () => {
      expect((await rotateAt(t.store, newHash(), T0)).result).toEqual(invalid('unknown'))
    })

    it('answers revoked for a token of a revoked session and records nothing', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      expect(await t.store.revokeSession(session.id, 'logout', T0 + 1)).toBe(true)
      const { result, successorHash } = await rotateAt(t.store, tokenHash, T0 + 2)
      expect(result).toEqual(invalid('revoked'))
      expect(await t.store.findToken(successorHash)).toBeNull()
      expect((await t.store.findToken(tokenHash))?.consumedAt).toBeNull()
    })

    it('answers session_expired at and after the absolute lifetime, even with a live token', async () => {
      const user = await addUser(t.store)
      const { tokenHash } = await startSession(t.store, user.id, T0, { absoluteMs: DAY, idleMs: DAY })
      expect((await rotateAt(t.store, tokenHash, T0 + DAY)).result).toEqual(invalid('session_expired'))
      expect((await t.store.findToken(tokenHash))?.consumedAt).toBeNull()
    })

    it('answers idle_expired at and after the token idle lifetime', async () => {
      const user = await addUser(t.store)
      const { tokenHash } = await startSession(t.store, user.id)
      expect((await rotateAt(t.store, tokenHash, T0 + IDLE)).result).toEqual(invalid('idle_expired'))
      expect((await t.store.findToken(tokenHash))?.consumedAt).toBeNull()
      // One millisecond earlier the same token was still live.
      expect((await rotateAt(t.store, tokenHash, T0 + IDLE - 1)).result.kind).toBe('rotated')
    })

    it('clamps the successor idle expiry to the absolute expiry (rotation never extends a session)', async () => {
      const user = await addUser(t.store)
      // A first token that lives as long as the session, so it can be rotated near the end.
      const { tokenHash } = await startSession(t.store, user.id, T0, { idleMs: ABSOLUTE })
      const now = T0 + ABSOLUTE - 1000
      const { result, successorHash } = await rotateAt(t.store, tokenHash, now)
      expect(result.kind).toBe('rotated')
      expect((await t.store.findToken(successorHash))?.idleExpiresAt).toBe(T0 + ABSOLUTE)
      expect((await rotateAt(t.store, successorHash, T0 + ABSOLUTE)).result).toEqual(
        invalid('session_expired'),
      )
    })

    it('replays the same sealed successor for a retry inside the grace window', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const first = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect(first.result.kind).toBe('rotated')
      for (const at of [T0 + 1000, T0 + 5000, T0 + 1000 + GRACE]) {
        const retry = await rotateAt(t.store, tokenHash, at)
        expect(retry.result).toMatchObject({
          kind: 'replayed',
          sealedSuccessor: sealedFor(first.successorHash),
          session: { id: session.id, revokedAt: null },
          roles: ['reader'],
        })
        // The retry's own prepared successor is never recorded.
        expect(await t.store.findToken(retry.successorHash)).toBeNull()
      }
      // The replayed successor is still the one live token of the session.
      expect((await rotateAt(t.store, first.successorHash, T0 + 20_000)).result.kind).toBe('rotated')
    })

    it('treats a retry as reuse when the grace window is disabled (graceMs 0)', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const first = await rotateAt(t.store, tokenHash, T0 + 1000, 0)
      expect(first.result.kind).toBe('rotated')
      const retry = await rotateAt(t.store, tokenHash, T0 + 1000, 0)
      expect(retry.result).toMatchObject({
        kind: 'reuse_detected',
        session: { id: session.id, revokedAt: T0 + 1000, revokedReason: 'reuse_detected' },
      })
      expect((await rotateAt(t.store, first.successorHash, T0 + 1001, 0)).result).toEqual(invalid('revoked'))
    })

    it('detects reuse after the grace window and kills the whole session, newest token included', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const first = await rotateAt(t.store, tokenHash, T0 + 1000)
      const late = T0 + 1000 + GRACE + 1
      const reuse = await rotateAt(t.store, tokenHash, late)
      expect(reuse.result).toEqual({
        kind: 'reuse_detected',
        session: { ...session, lastUsedAt: T0 + 1000, revokedAt: late, revokedReason: 'reuse_detected' },
      })
      expect(await t.store.findToken(reuse.successorHash)).toBeNull()
      expect((await rotateAt(t.store, first.successorHash, late + 1)).result).toEqual(invalid('revoked'))
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedReason: 'reuse_detected' })
      expect(await t.store.listSessions(user.id, late + 1)).toEqual([])
      // The session is already dead: presenting the old token again reports it as revoked.
      expect((await rotateAt(t.store, tokenHash, late + 2)).result).toEqual(invalid('revoked'))
    })

    it('detects reuse of an older generation even inside the grace window', async () => {
      const user = await addUser(t.store)
      const { tokenHash: a } = await startSession(t.store, user.id)
      const b = await rotateAt(t.store, a, T0 + 1000)
      const c = await rotateAt(t.store, b.successorHash, T0 + 2000)
      expect(c.result.kind).toBe('rotated')
      const replayA = await rotateAt(t.store, a, T0 + 3000)
      expect(replayA.result.kind).toBe('reuse_detected')
      expect((await rotateAt(t.store, c.successorHash, T0 + 4000)).result).toEqual(invalid('revoked'))
    })

    it('answers idle_expired, not reuse, for a consumed token past its own idle expiry', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const step = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect((await rotateAt(t.store, tokenHash, T0 + IDLE)).result).toEqual(invalid('idle_expired'))
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedAt: null })
      expect((await rotateAt(t.store, step.successorHash, T0 + IDLE + 1)).result.kind).toBe('rotated')
    })

    it('gives exactly one rotation to 20 concurrent refreshes of one token; the rest replay it', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const now = T0 + 5000
      const attempts = await Promise.all(Array.from({ length: 20 }, () => rotateAt(t.store, tokenHash, now)))
      const rotated = attempts.filter((a) => a.result.kind === 'rotated')
      expect(rotated).toHaveLength(1)
      const winner = rotated[0]!.successorHash
      for (const a of attempts) {
        if (a.result.kind === 'rotated') continue
        expect(a.result).toMatchObject({ kind: 'replayed', sealedSuccessor: sealedFor(winner) })
        expect(await t.store.findToken(a.successorHash)).toBeNull()
      }
      expect(await t.store.findToken(winner)).toMatchObject({ sessionId: session.id, consumedAt: null })
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedAt: null })
    })

    it('never yields two successors to concurrent refreshes without a grace window', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const attempts = await Promise.all(
        Array.from({ length: 20 }, () => rotateAt(t.store, tokenHash, T0 + 5000, 0)),
      )
      const kinds = attempts.map((a) => a.result.kind)
      expect(kinds.filter((k) => k === 'rotated')).toHaveLength(1)
      expect(kinds.filter((k) => k === 'replayed')).toHaveLength(0)
      // A second presentation with no grace is reuse: the session is revoked.
      expect(kinds.filter((k) => k === 'reuse_detected').length).toBeGreaterThan(0)
      expect((await t.store.getSession(session.id))?.revokedReason).toBe('reuse_detected')
    })

    it('returns the roles of the user, read in the same step, with every rotation', async () => {
      const user = await addUser(t.store)
      const { tokenHash } = await startSession(t.store, user.id)
      const first = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect(first.result).toMatchObject({ kind: 'rotated', roles: ['reader'] })
      await t.store.records.update(
        USERS,
        { id: user.id },
        { roles: ['admin', 'reader'], updatedAt: T0 + 1500 },
      )
      // The grace retry reads the user again: it carries the roles as they are now.
      expect((await rotateAt(t.store, tokenHash, T0 + 2000)).result).toMatchObject({
        kind: 'replayed',
        roles: ['admin', 'reader'],
      })
      expect((await rotateAt(t.store, first.successorHash, T0 + 3000)).result).toMatchObject({
        kind: 'rotated',
        roles: ['admin', 'reader'],
      })
      await t.store.records.update(USERS, { id: user.id }, { roles: [], updatedAt: T0 + 3500 })
      const { tokenHash: other } = await startSession(t.store, user.id, T0 + 4000)
      expect((await rotateAt(t.store, other, T0 + 5000)).result).toMatchObject({ kind: 'rotated', roles: [] })
    })

    it("refuses a disabled user's token without consuming it, and ends the session in the same step", async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      await t.store.records.update(USERS, { id: user.id }, { disabled: true, updatedAt: T0 + 500 })
      const { result, successorHash } = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect(result).toEqual(invalid('user_disabled'))
      expect(await t.store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
      expect(await t.store.findToken(successorHash)).toBeNull()
      expect(await t.store.getSession(session.id)).toMatchObject({
        revokedAt: T0 + 1000,
        revokedReason: 'user_disabled',
      })
      expect(await t.store.listSessions(user.id, T0 + 1001)).toEqual([])
      // Enabling the user again does not revive the session.
      await t.store.records.update(USERS, { id: user.id }, { disabled: false, updatedAt: T0 + 1500 })
      expect((await rotateAt(t.store, tokenHash, T0 + 2000)).result).toEqual(invalid('revoked'))
    })

    it('checks the user on the grace retry as well', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const first = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect(first.result.kind).toBe('rotated')
      await t.store.records.update(USERS, { id: user.id }, { disabled: true, updatedAt: T0 + 1500 })
      expect((await rotateAt(t.store, tokenHash, T0 + 2000)).result).toEqual(invalid('user_disabled'))
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedReason: 'user_disabled' })
      expect(await t.store.findToken(first.successorHash)).toMatchObject({ consumedAt: null })
      expect((await rotateAt(t.store, first.successorHash, T0 + 3000)).result).toEqual(invalid('revoked'))
    })

    it('still answers reuse_detected for a disabled user whose consumed token comes back late', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      await rotateAt(t.store, tokenHash, T0 + 1000)
      await t.store.records.update(USERS, { id: user.id }, { disabled: true, updatedAt: T0 + 1500 })
      expect((await rotateAt(t.store, tokenHash, T0 + 1000 + GRACE + 1)).result.kind).toBe('reuse_detected')
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedReason: 'reuse_detected' })
    })

    // Registered only where it applies, so no case is ever skipped.
    if (!target.options.usersOutOfReach)
      it("refuses a deleted user's token without consuming it", async () => {
        const deleteUser = t.deleteUser
        if (!deleteUser) throw new Error(`${target.name}: give deleteUser, or usersOutOfReach in the options`)
        const user = await addUser(t.store)
        const { session, tokenHash } = await startSession(t.store, user.id)
        await deleteUser(user.id)
        const { result, successorHash } = await rotateAt(t.store, tokenHash, T0 + 1000)
        expect(await t.store.findToken(successorHash)).toBeNull()
        const left = await t.store.getSession(session.id)
        if (left === null) {
          // The database deleted the user's sessions with it (a cascading foreign key).
          expect(result).toEqual(invalid('unknown'))
          expect(await t.store.findToken(tokenHash)).toBeNull()
        } else {
          expect(result).toEqual(invalid('user_disabled'))
          expect(left).toMatchObject({ revokedAt: T0 + 1000, revokedReason: 'user_disabled' })
          expect(await t.store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
        }
      })

    it('refuses a rotation whose successor hash exists alone: its token stays live, the others commit', async () => {
      const user = await addUser(t.store)
      const [a, b, taken] = [
        await startSession(t.store, user.id),
        await startSession(t.store, user.id),
        await startSession(t.store, user.id),
      ]
      const now = T0 + 5000
      const bNext = newHash()
      const rotateTo = (tokenHash: string, hash: string) =>
        t.store.rotate({
          tokenHash,
          now,
          clientId: null,
          graceMs: GRACE,
          successor: { hash, idleExpiresAt: now + IDLE, sealed: sealedFor(hash) },
        })
      // In flight together, as refreshes of different users arrive together.
      const [clash, other] = await Promise.allSettled([
        rotateTo(a.tokenHash, taken.tokenHash),
        rotateTo(b.tokenHash, bNext),
      ])
      expect(clash.status).toBe('rejected')
      expect((clash as PromiseRejectedResult).reason).toMatchObject({
        code: 'conflict',
        field: 'refresh token hash',
      })
      expect(other).toMatchObject({ status: 'fulfilled', value: { kind: 'rotated', generation: 2 } })
      expect(await t.store.findToken(a.tokenHash)).toMatchObject({ consumedAt: null })
      expect(await t.store.findToken(taken.tokenHash)).toMatchObject({
        sessionId: taken.session.id,
        consumedAt: null,
      })
      expect(await t.store.findToken(b.tokenHash)).toMatchObject({ consumedAt: now })
      expect(await t.store.findToken(bNext)).toMatchObject({ sessionId: b.session.id, consumedAt: null })
      expect((await rotateAt(t.store, a.tokenHash, now + 1)).result.kind).toBe('rotated')
    })

    it("refuses another client's rotation without consuming or revoking anything", async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id, T0, { clientId: 'web' })
      const mismatch = invalid('client_mismatch')
      const wrong = await rotateAt(t.store, tokenHash, T0 + 1000, GRACE, 'intruder')
      expect(wrong.result).toEqual(mismatch)
      expect(await t.store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
      expect(await t.store.findToken(wrong.successorHash)).toBeNull()
      expect(await t.store.getSession(session.id)).toEqual(session)
      // The right client still rotates it; a public client's session also rotates without one.
      const right = await rotateAt(t.store, tokenHash, T0 + 2000, GRACE, 'web')
      expect(right.result).toMatchObject({ kind: 'rotated', generation: 2 })
      expect((await rotateAt(t.store, right.successorHash, T0 + 3000, GRACE, null)).result.kind).toBe(
        'rotated',
      )
      // A consumed token sent by a wrong client, past the grace window: not reuse, nothing ends.
      expect((await rotateAt(t.store, tokenHash, T0 + 2000 + GRACE + 1, GRACE, 'intruder')).result).toEqual(
        mismatch,
      )
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedAt: null })
      // Nor does a wrong client end the session of a disabled user.
      await t.store.records.update(USERS, { id: user.id }, { disabled: true, updatedAt: T0 + 4000 })
      expect((await rotateAt(t.store, tokenHash, T0 + 5000, GRACE, 'intruder')).result).toEqual(mismatch)
      expect(await t.store.getSession(session.id)).toMatchObject({ revokedAt: null })
    })

    it("refuses a confidential client's token presented without a client", async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id, T0, {
        clientId: 'svc',
        publicClient: false,
        scope: ['orders:read'],
      })
      const anonymous = await rotateAt(t.store, tokenHash, T0 + 1000, GRACE, null)
      expect(anonymous.result).toEqual(invalid('client_mismatch'))
      expect(await t.store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
      expect(await t.store.findToken(anonymous.successorHash)).toBeNull()
      expect(await t.store.getSession(session.id)).toEqual(session)
      expect((await rotateAt(t.store, tokenHash, T0 + 2000, GRACE, 'svc')).result).toMatchObject({
        kind: 'rotated',
        session: { id: session.id, publicClient: false, scope: ['orders:read'] },
      })
    })
  })
}
