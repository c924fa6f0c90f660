// Purge (the background sweep): what it deletes (sessions past their lifetime, revoked or idled out,
// with their tokens; consumed tokens past their idle expiry; ended counter windows; the records of
// every collection past its expiry, with the login-session links that go with them) and what it
// must keep (whatever is still live, and a redeemed code for its replay memory).
import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_CODES } from '../../core/authorization/authorization-code-collection.ts'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import { USERS } from '../../core/users/user-collection.ts'
import { authorizationCode, issued, loginSession, sessionFor } from './authorization-fixtures.ts'
import { addUser, DAY, hit, IDLE, invalid, MINUTE, rotateAt, startSession, T0 } from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

export function describePurge(target: ConformanceTarget): void {
  describe('purgeExpired', () => {
    const t = useStoreUnderTest(target)

    it('removes expired, revoked and idled-out sessions with their tokens, and keeps live ones', async () => {
      const user = await addUser(t.store)
      const live = await startSession(t.store, user.id, T0)
      const expired = await startSession(t.store, user.id, T0, { absoluteMs: DAY })
      const revoked = await startSession(t.store, user.id, T0)
      await t.store.revokeSession(revoked.session.id, 'logout', T0 + 10)
      const idle = await startSession(t.store, user.id, T0, { idleMs: DAY })
      await hit(t.store, 'login:gone', T0, 1000)
      await hit(t.store, 'login:kept', T0 + 2 * DAY, DAY)
      // The live session rotates just before its first token idles out.
      const step = await rotateAt(t.store, live.tokenHash, T0 + DAY)
      expect(step.result.kind).toBe('rotated')

      const now = T0 + 2 * DAY
      const removed = await t.store.purgeExpired(now)
      // 3 sessions + their 3 tokens + 1 counter, at least (stores may also drop old consumed tokens).
      expect(removed).toBeGreaterThanOrEqual(7)

      expect(await t.store.getSession(live.session.id)).not.toBeNull()
      expect(await t.store.findToken(step.successorHash)).not.toBeNull()
      for (const gone of [expired, revoked, idle]) {
        expect(await t.store.getSession(gone.session.id)).toBeNull()
        expect(await t.store.findToken(gone.tokenHash)).toBeNull()
        expect((await rotateAt(t.store, gone.tokenHash, now)).result).toEqual(invalid('unknown'))
      }
      // The live counter kept its count; the ended one starts afresh.
      expect(await t.store.hitCounters(['login:kept', 'login:gone'], now, DAY)).toEqual([
        { count: 2, resetAt: now + DAY },
        { count: 1, resetAt: now + DAY },
      ])
      expect((await rotateAt(t.store, step.successorHash, now)).result.kind).toBe('rotated')
      expect(await t.store.records.get(USERS, { id: user.id })).not.toBeNull()
    })

    it('drops consumed tokens past their idle expiry while the session lives on', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const step = await rotateAt(t.store, tokenHash, T0 + IDLE - 1)
      expect(step.result.kind).toBe('rotated')
      await t.store.purgeExpired(T0 + IDLE + 1)
      expect(await t.store.getSession(session.id)).not.toBeNull()
      expect(await t.store.findToken(step.successorHash)).not.toBeNull()
      // Once past its idle expiry an old token is invalid either way; it never revives.
      expect((await rotateAt(t.store, tokenHash, T0 + IDLE + 2)).result.kind).toBe('invalid')
      expect((await rotateAt(t.store, step.successorHash, T0 + IDLE + 3)).result.kind).toBe('rotated')
    })

    it('removes nothing when everything is live', async () => {
      const user = await addUser(t.store)
      await startSession(t.store, user.id)
      await hit(t.store, 'k', T0)
      await t.store.rememberOnce('jti:live', T0 + MINUTE, T0)
      expect(await t.store.purgeExpired(T0 + 1)).toBe(0)
    })

    it('forgets a code only 24 h after its expiry, redeemed or not, and login sessions at their idle expiry', async () => {
      const { records } = t.store
      const { user, login, code } = await issued(t.store)
      const first = sessionFor(code, T0 + 1000)
      expect(
        (await t.store.redeemOnce(AUTHORIZATION_CODES, { hash: code.hash }, T0 + 1000, first)).kind,
      ).toBe('redeemed')
      const unused = authorizationCode(user.id, login.id)
      await records.insert(AUTHORIZATION_CODES, unused)
      const fresh = authorizationCode(user.id, login.id, T0 + DAY)
      await records.insert(AUTHORIZATION_CODES, fresh)
      const ended = loginSession(user.id)
      await records.insert(LOGIN_SESSIONS, ended)
      await t.store.endLoginSession(ended.id, T0 + 10)
      const idled = loginSession(user.id, T0, { idleExpiresAt: T0 + 1000 })
      await records.insert(LOGIN_SESSIONS, idled)
      const live = loginSession(user.id, T0 + DAY)
      await records.insert(LOGIN_SESSIONS, live)

      // Ending a login session brought its idle expiry to its end: it goes then, with the idled one,
      // long before its own idle expiry; the one the code was issued in is still live.
      expect(await t.store.purgeExpired(T0 + 1000)).toBeGreaterThanOrEqual(2)
      expect(await records.get(LOGIN_SESSIONS, { id: ended.id })).toBeNull()
      expect(await records.get(LOGIN_SESSIONS, { id: idled.id })).toBeNull()
      expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', idled.secretHash)).toBeNull()
      expect(await records.get(LOGIN_SESSIONS, { id: login.id })).toEqual(login)

      // Within 24 h of its expiry a replay still finds the session to revoke (RFC 6749 §4.1.2).
      const memory = code.expiresAt + DAY
      expect(await t.store.purgeExpired(memory - 1)).toBeGreaterThanOrEqual(1)
      expect(await records.get(LOGIN_SESSIONS, { id: login.id })).toBeNull()
      expect(await records.get(AUTHORIZATION_CODES, { hash: code.hash })).toEqual({
        ...code,
        consumedAt: T0 + 1000,
        sessionId: first.id,
      })
      expect(await records.get(AUTHORIZATION_CODES, { hash: unused.hash })).toEqual(unused)
      expect(
        await t.store.redeemOnce(
          AUTHORIZATION_CODES,
          { hash: code.hash },
          memory - 1,
          sessionFor(code, memory - 1),
        ),
      ).toEqual({ kind: 'replayed', sessionId: first.id })

      expect(await t.store.purgeExpired(memory)).toBeGreaterThanOrEqual(2)
      expect(await records.get(AUTHORIZATION_CODES, { hash: code.hash })).toBeNull()
      expect(await records.get(AUTHORIZATION_CODES, { hash: unused.hash })).toBeNull()
      expect(
        await t.store.redeemOnce(AUTHORIZATION_CODES, { hash: code.hash }, memory, sessionFor(code, memory)),
      ).toEqual({ kind: 'invalid' })
      // Live things stay: the code issued a day later, the live login session, the session.
      expect(await records.get(AUTHORIZATION_CODES, { hash: fresh.hash })).toEqual(fresh)
      expect(await records.findBy(LOGIN_SESSIONS, 'secretHash', live.secretHash)).toEqual(live)
      expect(await t.store.getSession(first.id)).not.toBeNull()
    })

    it('drops the links of a purged login session, though the sessions it started live on', async () => {
      const { records } = t.store
      const gone = await issued(t.store)
      const kept = await issued(t.store)
      await records.update(LOGIN_SESSIONS, { id: kept.login.id }, { idleExpiresAt: T0 + 3 * DAY })
      const started = [sessionFor(gone.code, T0 + 1000), sessionFor(kept.code, T0 + 1000)]
      for (const [i, code] of [gone.code, kept.code].entries()) {
        const redeemed = await t.store.redeemOnce(
          AUTHORIZATION_CODES,
          { hash: code.hash },
          T0 + 1000,
          started[i]!,
        )
        expect(redeemed.kind).toBe('redeemed')
      }
      const now = gone.login.idleExpiresAt
      await t.store.purgeExpired(now)
      expect(await records.get(LOGIN_SESSIONS, { id: gone.login.id })).toBeNull()
      expect(await t.store.getSession(started[0]!.id)).toMatchObject({ revokedAt: null })
      // Its links went with it (else they would outlive every login session ever made): ending it
      // now answers nothing.
      expect(await t.store.endLoginSession(gone.login.id, now + 1)).toEqual([])
      // The live login session's link stays.
      expect(await t.store.endLoginSession(kept.login.id, now + 1)).toEqual([started[1]!.id])
    })

    it('removes nothing while codes and login sessions are live', async () => {
      await issued(t.store)
      expect(await t.store.purgeExpired(T0 + 1)).toBe(0)
    })
  })
}
