// Redeem once and start a session (authorization codes, RFC 6749 §4.1.2), and ending the login
// session the redemptions were made in: one redemption per record whatever the race, the session
// and its first token in the same step, a replay answered with the session it started (to revoke),
// and the sessions a login session started answered when it ends, as often as it is ended.
import { describe, expect, it } from 'vitest'
import {
  AUTHORIZATION_CODES,
  type AuthorizationCodeRecord,
} from '../../core/authorization/authorization-code-collection.ts'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import type { NewSession, SessionRecord } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { authorizationCode, issued, LOGIN_IDLE, loginSession, sessionFor } from './authorization-fixtures.ts'
import { ABSOLUTE, addUser, DAY, IDLE, newHash, rotateAt, startSession, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

const redeem = (store: Store, hash: string, now: number, session: NewSession) =>
  store.redeemOnce(AUTHORIZATION_CODES, { hash }, now, session)

/** The code as its redemption at `at` into `session` leaves it. */
const consumed = (
  code: AuthorizationCodeRecord,
  at: number,
  session: NewSession,
): AuthorizationCodeRecord => ({
  ...code,
  consumedAt: at,
  sessionId: session.id,
})

export function describeRedeemOnce(target: ConformanceTarget): void {
  describe('redeemOnce and login sessions', () => {
    const t = useStoreUnderTest(target)
    const getCode = (hash: string) => t.store.records.get(AUTHORIZATION_CODES, { hash })

    it('redeems a live code once: the session and its first token are created in the same step', async () => {
      const { code } = await issued(t.store)
      const now = T0 + 1000
      const next = sessionFor(code, now)
      const result = await redeem(t.store, code.hash, now, next)
      const expected: SessionRecord = {
        id: next.id,
        userId: code.userId,
        clientId: 'web',
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: now + ABSOLUTE,
        revokedAt: null,
        revokedReason: null,
        clientIp: '198.51.100.4',
        userAgent: 'conformance-browser/1.0',
        scope: ['openid', 'profile'],
        publicClient: true,
        claims: [],
        amr: [],
        acr: null,
        authTime: null,
      }
      expect(result).toEqual({ kind: 'redeemed', session: expected })
      expect(await t.store.getSession(next.id)).toEqual(expected)
      expect(await t.store.findToken(next.tokenHash)).toEqual({
        hash: next.tokenHash,
        sessionId: next.id,
        generation: 1,
        createdAt: now,
        idleExpiresAt: now + IDLE,
        consumedAt: null,
      })
      // The session rotates like any other.
      expect((await rotateAt(t.store, next.tokenHash, now + 1000)).result.kind).toBe('rotated')
      // A consumed code is still found whole, for the caller to check its bindings, with when and
      // into which session it was redeemed.
      expect(await getCode(code.hash)).toEqual(consumed(code, now, next))
    })

    it("carries a code's requested userinfo claims into the session it starts, through every read", async () => {
      const claims = { idToken: ['email', 'name'], userinfo: ['given_name', 'email'] }
      const { user, code } = await issued(t.store, { codeChallenge: null, claims })
      const now = T0 + 1000
      const next: NewSession = { ...sessionFor(code, now), claims: claims.userinfo }
      const result = await redeem(t.store, code.hash, now, next)
      expect(result).toMatchObject({
        kind: 'redeemed',
        session: { id: next.id, claims: ['given_name', 'email'] },
      })
      const session = result.kind === 'redeemed' ? result.session : null
      expect(await t.store.getSession(next.id)).toEqual(session)
      expect(await t.store.listSessions(user.id, now + 1)).toEqual([session])
      expect((await rotateAt(t.store, next.tokenHash, now + 1000)).result).toMatchObject({
        kind: 'rotated',
        session: { id: next.id, claims: ['given_name', 'email'] },
      })
      // The consumed code (no challenge, its claims) still reads back whole.
      expect(await getCode(code.hash)).toEqual(consumed(code, now, next))
      expect(await redeem(t.store, code.hash, now + 2000, sessionFor(code, now + 2000))).toEqual({
        kind: 'replayed',
        sessionId: next.id,
      })
    })

    it("carries the code's login context (amr, acr, auth time) into the session it starts, through every read", async () => {
      const { user, code } = await issued(t.store)
      const now = T0 + 1000
      const context = { amr: code.amr, acr: 'urn:tokensmith:acr:mfa', authTime: code.authTime }
      const next: NewSession = { ...sessionFor(code, now), ...context }
      const result = await redeem(t.store, code.hash, now, next)
      expect(result).toMatchObject({ kind: 'redeemed', session: { id: next.id, ...context } })
      const session = result.kind === 'redeemed' ? result.session : null
      expect(await t.store.getSession(next.id)).toEqual(session)
      expect(await t.store.listSessions(user.id, now + 1)).toEqual([session])
      expect((await rotateAt(t.store, next.tokenHash, now + 1000)).result).toMatchObject({
        kind: 'rotated',
        session: { id: next.id, amr: ['pwd', 'otp'], acr: 'urn:tokensmith:acr:mfa', authTime: T0 - 5000 },
      })
    })

    it('answers invalid for an unknown code or one at or past its expiry, and creates nothing', async () => {
      const { code } = await issued(t.store)
      const unknown = sessionFor(code, T0)
      expect(await redeem(t.store, newHash(), T0, unknown)).toEqual({ kind: 'invalid' })
      expect(await t.store.getSession(unknown.id)).toBeNull()
      for (const at of [code.expiresAt, code.expiresAt + DAY]) {
        const late = sessionFor(code, at)
        expect(await redeem(t.store, code.hash, at, late)).toEqual({ kind: 'invalid' })
        expect(await t.store.getSession(late.id)).toBeNull()
        expect(await t.store.findToken(late.tokenHash)).toBeNull()
        expect(await getCode(code.hash)).toEqual(code)
      }
      // One millisecond before its expiry the same code still redeems.
      const inTime = sessionFor(code, code.expiresAt - 1)
      expect(await redeem(t.store, code.hash, code.expiresAt - 1, inTime)).toMatchObject({
        kind: 'redeemed',
      })
    })

    it('answers replayed with the first session for a second redeem, also after the expiry (RFC 6749 §4.1.2)', async () => {
      const { code } = await issued(t.store)
      const first = sessionFor(code, T0 + 1000)
      expect((await redeem(t.store, code.hash, T0 + 1000, first)).kind).toBe('redeemed')
      for (const at of [T0 + 2000, code.expiresAt, code.expiresAt + DAY]) {
        const again = sessionFor(code, at)
        expect(await redeem(t.store, code.hash, at, again)).toEqual({ kind: 'replayed', sessionId: first.id })
        expect(await t.store.getSession(again.id)).toBeNull()
        expect(await t.store.findToken(again.tokenHash)).toBeNull()
      }
      // A replay changes nothing: the code still names the first redemption.
      expect(await getCode(code.hash)).toEqual(consumed(code, T0 + 1000, first))
    })

    it('leaves the code unconsumed when its session cannot be created (all or nothing)', async () => {
      const { user, code } = await issued(t.store)
      const { tokenHash: taken } = await startSession(t.store, user.id)
      const clash = { ...sessionFor(code, T0 + 1000), tokenHash: taken }
      const refused = redeem(t.store, code.hash, T0 + 1000, clash)
      await expect(refused).rejects.toBeInstanceOf(StoreConflictError)
      await expect(refused).rejects.toMatchObject({ field: 'refresh token hash' })
      expect(await t.store.getSession(clash.id)).toBeNull()
      expect(await getCode(code.hash)).toEqual(code)
      const retry = sessionFor(code, T0 + 2000)
      expect(await redeem(t.store, code.hash, T0 + 2000, retry)).toMatchObject({
        kind: 'redeemed',
        session: { id: retry.id },
      })
    })

    it('gives one code to exactly one of 20 concurrent redeems; the others are told it was replayed', async () => {
      const { code } = await issued(t.store)
      // Across two instances where the store is shared by several.
      const other = t.openAnother?.()
      try {
        const attempts = Array.from({ length: 20 }, (_, i) => sessionFor(code, T0 + 1000 + i))
        const results = await Promise.all(
          attempts.map((s, i) => redeem(i % 2 && other ? other : t.store, code.hash, s.createdAt, s)),
        )
        const redeemed = results.flatMap((r) => (r.kind === 'redeemed' ? [r.session.id] : []))
        expect(redeemed).toHaveLength(1)
        for (const r of results) {
          if (r.kind !== 'redeemed') expect(r).toEqual({ kind: 'replayed', sessionId: redeemed[0] })
        }
        for (const s of attempts.filter((a) => a.id !== redeemed[0])) {
          expect(await t.store.getSession(s.id)).toBeNull()
          expect(await t.store.findToken(s.tokenHash)).toBeNull()
        }
        expect(await getCode(code.hash)).toMatchObject({ sessionId: redeemed[0] })
      } finally {
        await other?.close()
      }
    })

    it('ends a login session and answers the sessions its codes started, again when ended twice', async () => {
      const { records } = t.store
      const { user, login, code } = await issued(t.store)
      const second = authorizationCode(user.id, login.id, T0 + 10)
      await records.insert(AUTHORIZATION_CODES, second)
      const elsewhere = loginSession(user.id)
      await records.insert(LOGIN_SESSIONS, elsewhere)
      const foreign = authorizationCode(user.id, elsewhere.id)
      await records.insert(AUTHORIZATION_CODES, foreign)
      const started: string[] = []
      for (const c of [code, second, foreign]) {
        const s = sessionFor(c, T0 + 100)
        expect((await redeem(t.store, c.hash, T0 + 100, s)).kind).toBe('redeemed')
        if (c !== foreign) started.push(s.id)
      }
      // Revoked or not, they are answered: the caller revokes what is still live.
      await t.store.revokeSession(started[0]!, 'logout', T0 + 150)
      const sorted = [...started].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      expect(await t.store.endLoginSession(login.id, T0 + 200)).toEqual(sorted)
      // Ended, and idle from now on: whoever reads it (by id or by the cookie's secret) sees it over.
      const ended = { ...login, endedAt: T0 + 200, idleExpiresAt: T0 + 200 }
      expect(await records.get(LOGIN_SESSIONS, { id: login.id })).toEqual(ended)
      expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', login.secretHash)).toEqual(ended)
      // Ending twice answers the sessions again and keeps the first end.
      expect(await t.store.endLoginSession(login.id, T0 + 300)).toEqual(sorted)
      expect(await records.get(LOGIN_SESSIONS, { id: login.id })).toEqual(ended)
      // The other login session is untouched.
      expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', elsewhere.secretHash)).toEqual(elsewhere)
      expect(await t.store.endLoginSession('nobody', T0)).toEqual([])
    })

    it('never lets a login session be slid once ended, whichever of the two comes first', async () => {
      const { records } = t.store
      const user = await addUser(t.store)
      // The core's slide (create-authorization.ts): guarded by the login session not having ended.
      const slide = (id: string, at: number) =>
        records.update(
          LOGIN_SESSIONS,
          { id },
          { lastSeenAt: at, idleExpiresAt: at + LOGIN_IDLE },
          { endedAt: null },
        )
      const login = loginSession(user.id)
      await records.insert(LOGIN_SESSIONS, login)
      const at = T0 + LOGIN_IDLE - 1
      const slid = { ...login, lastSeenAt: at, idleExpiresAt: at + LOGIN_IDLE }
      expect(await slide(login.id, at)).toEqual(slid)
      await t.store.endLoginSession(login.id, at + 1)
      const ended = { ...slid, endedAt: at + 1, idleExpiresAt: at + 1 }
      expect(await slide(login.id, at + 2)).toBeNull()
      expect(await records.get(LOGIN_SESSIONS, { id: login.id })).toEqual(ended)
      // A sign-out racing a slide (from another instance where there are several), either one sent
      // first: the login session ends, and its idle expiry is the end whatever the order.
      const other = t.openAnother?.()
      try {
        const racing = Array.from({ length: 10 }, () => loginSession(user.id))
        for (const l of racing) await records.insert(LOGIN_SESSIONS, l)
        const end = (id: string) => (other ?? t.store).endLoginSession(id, at)
        await Promise.all(
          racing.flatMap((l, i) => (i % 2 ? [slide(l.id, at), end(l.id)] : [end(l.id), slide(l.id, at)])),
        )
        for (const l of racing) {
          expect(await records.get(LOGIN_SESSIONS, { id: l.id })).toEqual({
            ...l,
            lastSeenAt: expect.any(Number),
            endedAt: at,
            idleExpiresAt: at,
          })
        }
      } finally {
        await other?.close()
      }
    })
  })
}
