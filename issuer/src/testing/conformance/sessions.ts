// Session creation (the atomic step that writes a session and its first refresh token together):
// what a session reads back as, through every read and rotation outcome.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { NewSession } from '../../core/sessions/session-record.ts'
import {
  ABSOLUTE,
  addUser,
  DAY,
  GRACE,
  IDLE,
  newHash,
  rotateAt,
  sealedFor,
  startSession,
  T0,
} from './fixtures.ts'
import { type ConformanceTarget, useStoreUnderTest } from './store-under-test.ts'

/** A session at T0 of a client that sent no address or user agent. */
const anonymous = (userId: string): NewSession => ({
  id: randomUUID(),
  userId,
  clientId: 'cli',
  createdAt: T0,
  absoluteExpiresAt: T0 + ABSOLUTE,
  clientIp: null,
  userAgent: null,
  scope: [],
  publicClient: true,
  tokenHash: newHash(),
  idleExpiresAt: T0 + IDLE,
})

export function describeSessions(target: ConformanceTarget): void {
  describe('sessions', () => {
    const t = useStoreUnderTest(target)

    it('creates a session with its first token', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      expect(session).toEqual({
        id: session.id,
        userId: user.id,
        clientId: 'cli',
        createdAt: T0,
        lastUsedAt: T0,
        absoluteExpiresAt: T0 + ABSOLUTE,
        revokedAt: null,
        revokedReason: null,
        clientIp: '203.0.113.7',
        userAgent: 'conformance/1.0',
        scope: [],
        publicClient: true,
        claims: [],
        amr: [],
        acr: null,
        authTime: null,
      })
      expect(await t.store.getSession(session.id)).toEqual(session)
      expect(await t.store.findToken(tokenHash)).toEqual({
        hash: tokenHash,
        sessionId: session.id,
        generation: 1,
        createdAt: T0,
        idleExpiresAt: T0 + IDLE,
        consumedAt: null,
      })
      expect(await t.store.getSession('nope')).toBeNull()
      expect(await t.store.findToken(newHash())).toBeNull()
    })

    it('keeps null client address and user agent', async () => {
      const user = await addUser(t.store)
      const session = await t.store.createSession(anonymous(user.id))
      expect(session).toMatchObject({ clientIp: null, userAgent: null })
      expect(await t.store.getSession(session.id)).toEqual(session)
    })

    it('clamps the first token idle expiry to the absolute expiry', async () => {
      const user = await addUser(t.store)
      const { tokenHash } = await startSession(t.store, user.id, T0, { absoluteMs: DAY, idleMs: IDLE })
      expect((await t.store.findToken(tokenHash))?.idleExpiresAt).toBe(T0 + DAY)
    })

    it('refuses a duplicate session id or token hash with a conflict error naming it', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id)
      const sameId = { ...anonymous(user.id), id: session.id }
      await expect(t.store.createSession(sameId)).rejects.toMatchObject({
        code: 'conflict',
        field: 'session id',
      })
      const sameToken = { ...anonymous(user.id), tokenHash }
      await expect(t.store.createSession(sameToken)).rejects.toMatchObject({
        code: 'conflict',
        field: 'refresh token hash',
      })
      // All or nothing: the refused sessions left nothing behind, and the first is as it was.
      expect(await t.store.getSession(sameToken.id)).toBeNull()
      expect(await t.store.findToken(sameId.tokenHash)).toBeNull()
      expect(await t.store.getSession(session.id)).toEqual(session)
      expect(await t.store.findToken(tokenHash)).toMatchObject({ sessionId: session.id })
    })

    it('keeps the granted scope and whether the client is public, through listing and rotation', async () => {
      const user = await addUser(t.store)
      const { session, tokenHash } = await startSession(t.store, user.id, T0, {
        clientId: 'svc',
        scope: ['a', 'b'],
        publicClient: false,
      })
      expect(session).toMatchObject({ clientId: 'svc', scope: ['a', 'b'], publicClient: false })
      expect(await t.store.getSession(session.id)).toEqual(session)
      expect(await t.store.listSessions(user.id, T0 + 1)).toEqual([session])
      const { result } = await rotateAt(t.store, tokenHash, T0 + 1000, GRACE, 'svc')
      expect(result).toMatchObject({
        kind: 'rotated',
        session: { id: session.id, scope: ['a', 'b'], publicClient: false },
      })
      expect((await rotateAt(t.store, tokenHash, T0 + 2000, GRACE, 'svc')).result).toMatchObject({
        kind: 'replayed',
        session: { scope: ['a', 'b'], publicClient: false },
      })
    })

    it('keeps the requested claims through reads, listing and every rotation outcome', async () => {
      const user = await addUser(t.store)
      const claims = ['email', 'given_name', 'https://example.com/claims/tier']
      const { session, tokenHash } = await startSession(t.store, user.id, T0, { claims })
      expect(session.claims).toEqual(claims)
      expect(await t.store.getSession(session.id)).toEqual(session)
      expect(await t.store.listSessions(user.id, T0 + 1)).toEqual([session])
      const rotated = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect(rotated.result).toEqual({
        kind: 'rotated',
        generation: 2,
        session: { ...session, lastUsedAt: T0 + 1000 },
        roles: ['reader'],
      })
      expect((await rotateAt(t.store, tokenHash, T0 + 2000)).result).toEqual({
        kind: 'replayed',
        session: { ...session, lastUsedAt: T0 + 1000 },
        sealedSuccessor: sealedFor(rotated.successorHash),
        roles: ['reader'],
      })
      expect((await rotateAt(t.store, tokenHash, T0 + 1000 + GRACE + 1)).result).toMatchObject({
        kind: 'reuse_detected',
        session: { id: session.id, claims, revokedReason: 'reuse_detected' },
      })
      // A session started without any (most are) has none, and rotates with none.
      const plain = await startSession(t.store, user.id, T0 + 5000)
      expect(plain.session.claims).toEqual([])
      expect(await t.store.getSession(plain.session.id)).toEqual(plain.session)
      expect((await rotateAt(t.store, plain.tokenHash, T0 + 6000)).result).toMatchObject({
        kind: 'rotated',
        session: { id: plain.session.id, claims: [] },
      })
      const empty = await startSession(t.store, user.id, T0 + 7000, { claims: [] })
      expect(await t.store.getSession(empty.session.id)).toEqual({ ...empty.session, claims: [] })
    })

    it("keeps the login's amr, acr and auth time through reads, listing and every rotation outcome", async () => {
      // RFC 9068 §2.2.1: every access token of the session, refreshes included, says how its
      // user authenticated; the rotation's own answer carries it, so a refresh reads nothing more.
      const user = await addUser(t.store)
      const context = { amr: ['pwd', 'otp', 'mfa'], acr: 'urn:tokensmith:acr:mfa', authTime: T0 - 4000 }
      const { session, tokenHash } = await startSession(t.store, user.id, T0, context)
      expect(session).toMatchObject(context)
      expect(await t.store.getSession(session.id)).toEqual(session)
      expect(await t.store.listSessions(user.id, T0 + 1)).toEqual([session])
      const rotated = await rotateAt(t.store, tokenHash, T0 + 1000)
      expect(rotated.result).toEqual({
        kind: 'rotated',
        generation: 2,
        session: { ...session, lastUsedAt: T0 + 1000 },
        roles: ['reader'],
      })
      expect((await rotateAt(t.store, tokenHash, T0 + 2000)).result).toEqual({
        kind: 'replayed',
        session: { ...session, lastUsedAt: T0 + 1000 },
        sealedSuccessor: sealedFor(rotated.successorHash),
        roles: ['reader'],
      })
      expect((await rotateAt(t.store, rotated.successorHash, T0 + 3000)).result).toMatchObject({
        kind: 'rotated',
        generation: 3,
        session: context,
      })
      expect((await rotateAt(t.store, tokenHash, T0 + 1000 + GRACE + 1)).result).toMatchObject({
        kind: 'reuse_detected',
        session: { id: session.id, ...context, revokedReason: 'reuse_detected' },
      })
      // Without one (a session from before they were kept): no amr, no acr, no auth time.
      const plain = await startSession(t.store, user.id, T0 + 5000)
      expect(plain.session).toMatchObject({ amr: [], acr: null, authTime: null })
      expect((await rotateAt(t.store, plain.tokenHash, T0 + 6000)).result).toMatchObject({
        kind: 'rotated',
        session: { id: plain.session.id, amr: [], acr: null, authTime: null },
      })
    })
  })
}
