// The one suite every Store implementation must pass. A store's test file is two lines:
//   runStoreConformance('sqlite', async () => ({ store: createSqliteStore(...), cleanup }))
// `makeStore` returns a fresh, isolated, not yet migrated store; the suite migrates it, and
// `cleanup` closes it and removes its data. Every instant is explicit: no clock, no sleeping.
import { randomBytes, randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuthorizationCodeRecord } from '../core/authorization/authorization-code-collection.ts'
import type { LoginSessionRecord } from '../core/authorization/login-session-collection.ts'
import { type ClientRecord, firstPartyPublicClient } from '../core/clients/client-record.ts'
import { DEFAULT_REVOCATION_TTL_MS } from '../core/revocations/revocation-store.ts'
import type { NewSession, SessionRecord } from '../core/sessions/session-record.ts'
import type { RotateResult, Store } from '../core/store.ts'
import { StoreConflictError, StoreError } from '../core/store-error.ts'

export interface StoreUnderTest {
  store: Store
  cleanup(): Promise<void>
  /** Another instance over the same data (a second issuer's connection); the suite closes it. */
  openAnother?: () => Store
  /**
   * Deletes a user behind the store's back, as an operator could (the port has no deletion);
   * whatever the database does to the user's sessions with it is part of the case. Required
   * unless the options say `usersOutOfReach` (a `:memory:` database only the store can touch).
   */
  deleteUser?: (id: string) => Promise<void>
}

export interface ConformanceOptions {
  /** The store is shared by several instances: run the cross-instance race. */
  sharedByInstances?: boolean
  /** Nothing but the store reaches its data (`:memory:`): the deleted-user case does not apply. */
  usersOutOfReach?: boolean
}

const T0 = 1_700_000_000_000
const DAY = 86_400_000
const IDLE = 7 * DAY
const ABSOLUTE = 30 * DAY
const GRACE = 10_000
// Remembered keys are spaced minutes apart: Redis also drops them by a TTL in its own time.
const MINUTE = 60_000
/** What a user created without a profile reads back with. */
const NO_PROFILE = { email: null, emailVerified: false, name: null, givenName: null, familyName: null }

const newHash = (): string => randomBytes(32).toString('hex')
const sealedFor = (hash: string): string => `sealed.${hash}`

export function runStoreConformance(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  options: ConformanceOptions = {},
): void {
  describe(`${name} store conformance`, () => {
    let store: Store
    let cleanup: () => Promise<void>
    let openAnother: (() => Store) | undefined
    let deleteUser: ((id: string) => Promise<void>) | undefined

    beforeEach(async () => {
      const made = await makeStore()
      store = made.store
      cleanup = made.cleanup
      openAnother = made.openAnother
      deleteUser = made.deleteUser
      await store.migrate()
    })

    if (options.sharedByInstances) {
      it('keeps at most one successor when two instances race 25 refreshes each with one token', async () => {
        if (!openAnother) throw new Error(`${name}: sharedByInstances needs openAnother`)
        const other = openAnother()
        try {
          const user = await addUser()
          const { session, tokenHash } = await startSession(user.id)
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
            Array.from({ length: 50 }, (_, i) => attempt(i % 2 ? store : other)),
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
            expect(await store.findToken(r.hash)).toBeNull()
          expect((await store.listSessions(user.id, T0 + 2000)).map((s) => s.id)).toEqual([session.id])
        } finally {
          await other.close()
        }
      })
    }

    if (options.sharedByInstances) {
      it('hands out every revocation sequence once, in commit order, to a reader polling deltas (two instances)', async () => {
        if (!openAnother) throw new Error(`${name}: sharedByInstances needs openAnother`)
        const other = openAnother()
        try {
          const user = await addUser()
          const sessions = await Promise.all(
            Array.from({ length: 30 }, (_, i) => startSession(user.id, T0 + i)),
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
              (i % 2 ? store : other).revokeSession(s.session.id, 'logout', T0 + 100 + i),
            ),
          )
          writing = false
          await reader
          const last = await store.readRevocations(since, T0)
          for (const e of last.entries) seen.set(e.subject, e.seq)
          expect([...seen.keys()].sort()).toEqual(sessions.map((s) => s.session.id).sort())
          expect(new Set(seen.values()).size).toBe(sessions.length)
        } finally {
          await other.close()
        }
      })
    }

    afterEach(async () => {
      await cleanup()
    })

    async function addUser(username = `user-${randomUUID()}`, at = T0) {
      return store.createUser({
        id: randomUUID(),
        username,
        passwordHash: `scrypt$test$${username}`,
        roles: ['reader'],
        createdAt: at,
      })
    }

    async function startSession(
      userId: string,
      at = T0,
      opts: {
        absoluteMs?: number
        idleMs?: number
        clientId?: string
        scope?: string[]
        publicClient?: boolean
        /** Left out of the NewSession when absent, as most callers do. */
        claims?: string[]
      } = {},
    ): Promise<{ session: SessionRecord; tokenHash: string }> {
      const tokenHash = newHash()
      const session = await store.createSession({
        id: randomUUID(),
        userId,
        clientId: opts.clientId ?? 'cli',
        createdAt: at,
        absoluteExpiresAt: at + (opts.absoluteMs ?? ABSOLUTE),
        clientIp: '203.0.113.7',
        userAgent: 'conformance/1.0',
        scope: opts.scope ?? [],
        publicClient: opts.publicClient ?? true,
        ...(opts.claims === undefined ? {} : { claims: opts.claims }),
        tokenHash,
        idleExpiresAt: at + (opts.idleMs ?? IDLE),
      })
      return { session, tokenHash }
    }

    /**
     * Rotates with a freshly prepared successor, presented by `clientId` (null: no client, as
     * /auth/refresh); returns the result and that successor's hash.
     */
    async function rotateAt(
      tokenHash: string,
      now: number,
      graceMs = GRACE,
      clientId: string | null = null,
    ): Promise<{ result: RotateResult; successorHash: string }> {
      const successorHash = newHash()
      const result = await store.rotate({
        tokenHash,
        now,
        clientId,
        graceMs,
        successor: { hash: successorHash, idleExpiresAt: now + IDLE, sealed: sealedFor(successorHash) },
      })
      return { result, successorHash }
    }

    /** One counter's hit, through the batch method (the port has no single-key one). */
    async function hit(key: string, now: number, windowMs = 60_000) {
      return (await store.hitCounters([key], now, windowMs))[0]
    }

    it('migrate is idempotent and ping answers', async () => {
      await store.migrate()
      await store.migrate()
      await expect(store.ping()).resolves.toBeUndefined()
    })

    describe('users', () => {
      it('creates a user and finds it by id and by username, case-insensitively', async () => {
        const created = await store.createUser({
          id: 'u-1',
          username: 'Alice',
          passwordHash: 'scrypt$abc',
          roles: ['admin', 'reader'],
          createdAt: T0,
        })
        const expected = {
          id: 'u-1',
          username: 'alice',
          passwordHash: 'scrypt$abc',
          roles: ['admin', 'reader'],
          disabled: false,
          ...NO_PROFILE,
          createdAt: T0,
          updatedAt: T0,
        }
        expect(created).toEqual(expected)
        expect(await store.findUserById('u-1')).toEqual(expected)
        expect(await store.findUserByUsername('alice')).toEqual(expected)
        expect(await store.findUserByUsername('ALICE')).toEqual(expected)
      })

      it('answers null for unknown users', async () => {
        expect(await store.findUserById('nobody')).toBeNull()
        expect(await store.findUserByUsername('nobody')).toBeNull()
      })

      it('keeps an empty role list', async () => {
        await store.createUser({ id: 'u-0', username: 'zero', passwordHash: 'h', roles: [], createdAt: T0 })
        expect((await store.findUserById('u-0'))?.roles).toEqual([])
      })

      it('refuses a duplicate username, whatever its case, with a conflict error', async () => {
        await addUser('bob')
        const dup = store.createUser({
          id: 'u-2',
          username: 'BOB',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
        })
        await expect(dup).rejects.toBeInstanceOf(StoreConflictError)
        await expect(dup).rejects.toBeInstanceOf(StoreError)
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'username' })
        expect(await store.findUserById('u-2')).toBeNull()
      })

      it('refuses a duplicate user id with a conflict error', async () => {
        await store.createUser({ id: 'same', username: 'carol', passwordHash: 'h', roles: [], createdAt: T0 })
        const dup = store.createUser({
          id: 'same',
          username: 'dave',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
        })
        await expect(dup).rejects.toMatchObject({ code: 'conflict' })
        expect(await store.findUserByUsername('dave')).toBeNull()
      })

      it('lists users by username', async () => {
        await addUser('mallory')
        await addUser('alice')
        await addUser('trent')
        expect((await store.listUsers()).map((u) => u.username)).toEqual(['alice', 'mallory', 'trent'])
      })

      it('updates only the given fields and answers null for an unknown id', async () => {
        const user = await addUser('erin')
        const disabled = await store.updateUser(user.id, { disabled: true, updatedAt: T0 + 1 })
        expect(disabled).toEqual({ ...user, disabled: true, updatedAt: T0 + 1 })
        const rehashed = await store.updateUser(user.id, { passwordHash: 'scrypt$new', updatedAt: T0 + 2 })
        expect(rehashed).toEqual({ ...user, disabled: true, passwordHash: 'scrypt$new', updatedAt: T0 + 2 })
        const reroled = await store.updateUser(user.id, {
          roles: ['admin'],
          disabled: false,
          updatedAt: T0 + 3,
        })
        expect(reroled).toEqual({ ...user, passwordHash: 'scrypt$new', roles: ['admin'], updatedAt: T0 + 3 })
        expect(await store.findUserById(user.id)).toEqual(reroled)
        expect(await store.updateUser('nobody', { disabled: true, updatedAt: T0 })).toBeNull()
      })

      it('keeps the profile a user is created with, and reads one created without as having none', async () => {
        const profile = {
          email: 'grace@example.com',
          emailVerified: true,
          name: 'Grace Hopper',
          givenName: 'Grace',
          familyName: 'Hopper',
        }
        const grace = await store.createUser({
          id: 'u-grace',
          username: 'Grace',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
          ...profile,
        })
        expect(grace).toMatchObject(profile)
        expect(await store.findUserById('u-grace')).toEqual(grace)
        expect(await store.findUserByUsername('GRACE')).toEqual(grace)
        // Part of a profile: the rest is absent, the address unverified.
        const half = await store.createUser({
          id: 'u-half',
          username: 'half',
          passwordHash: 'h',
          roles: [],
          createdAt: T0,
          email: 'half@example.com',
          givenName: 'Half',
        })
        expect(half).toMatchObject({ ...NO_PROFILE, email: 'half@example.com', givenName: 'Half' })
        expect(await store.findUserById('u-half')).toEqual(half)
        const plain = await addUser('plain')
        expect(plain).toMatchObject(NO_PROFILE)
        expect(await store.findUserById(plain.id)).toEqual(plain)
        expect(await store.listUsers()).toEqual([grace, half, plain])
      })

      it('patches the profile: sets, changes, clears with null, and keeps what a patch leaves out', async () => {
        const user = await addUser('ida')
        const set = await store.updateUser(user.id, {
          email: 'ida@example.com',
          name: 'Ida',
          givenName: 'Ida',
          updatedAt: T0 + 1,
        })
        expect(set).toEqual({
          ...user,
          email: 'ida@example.com',
          name: 'Ida',
          givenName: 'Ida',
          updatedAt: T0 + 1,
        })
        const changed = await store.updateUser(user.id, {
          email: 'ida@example.org',
          emailVerified: true,
          familyName: 'Rhodes',
          updatedAt: T0 + 2,
        })
        expect(changed).toEqual({
          ...set,
          email: 'ida@example.org',
          emailVerified: true,
          familyName: 'Rhodes',
          updatedAt: T0 + 2,
        })
        // A patch without profile fields leaves every one of them as it was.
        const reroled = await store.updateUser(user.id, {
          roles: ['admin'],
          disabled: true,
          updatedAt: T0 + 3,
        })
        expect(reroled).toEqual({ ...changed, roles: ['admin'], disabled: true, updatedAt: T0 + 3 })
        // null clears a field; the fields the patch does not name stay.
        const cleared = await store.updateUser(user.id, {
          email: null,
          emailVerified: false,
          name: null,
          updatedAt: T0 + 4,
        })
        expect(cleared).toEqual({
          ...reroled,
          email: null,
          emailVerified: false,
          name: null,
          updatedAt: T0 + 4,
        })
        expect(cleared).toMatchObject({ givenName: 'Ida', familyName: 'Rhodes' })
        expect(await store.findUserById(user.id)).toEqual(cleared)
        expect(await store.findUserByUsername('ida')).toEqual(cleared)
        const none = await store.updateUser(user.id, { givenName: null, familyName: null, updatedAt: T0 + 5 })
        expect(none).toEqual({ ...cleared, ...NO_PROFILE, updatedAt: T0 + 5 })
        expect(await store.listUsers()).toEqual([none])
      })
    })

    describe('sessions', () => {
      it('creates a session with its first token', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
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
        })
        expect(await store.getSession(session.id)).toEqual(session)
        expect(await store.findToken(tokenHash)).toEqual({
          hash: tokenHash,
          sessionId: session.id,
          generation: 1,
          createdAt: T0,
          idleExpiresAt: T0 + IDLE,
          consumedAt: null,
        })
        expect(await store.getSession('nope')).toBeNull()
        expect(await store.findToken(newHash())).toBeNull()
      })

      it('keeps null client address and user agent', async () => {
        const user = await addUser()
        const session = await store.createSession({
          id: randomUUID(),
          userId: user.id,
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
        expect(session).toMatchObject({ clientIp: null, userAgent: null })
        expect(await store.getSession(session.id)).toEqual(session)
      })

      it('clamps the first token idle expiry to the absolute expiry', async () => {
        const user = await addUser()
        const { tokenHash } = await startSession(user.id, T0, { absoluteMs: DAY, idleMs: IDLE })
        expect((await store.findToken(tokenHash))?.idleExpiresAt).toBe(T0 + DAY)
      })

      it('refuses a duplicate session id or token hash with a conflict error', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const base = {
          userId: user.id,
          clientId: 'cli',
          createdAt: T0,
          absoluteExpiresAt: T0 + ABSOLUTE,
          clientIp: null,
          userAgent: null,
          scope: [],
          publicClient: true,
          idleExpiresAt: T0 + IDLE,
        }
        await expect(
          store.createSession({ ...base, id: session.id, tokenHash: newHash() }),
        ).rejects.toMatchObject({
          code: 'conflict',
        })
        const otherId = randomUUID()
        await expect(store.createSession({ ...base, id: otherId, tokenHash })).rejects.toMatchObject({
          code: 'conflict',
        })
        // All or nothing: the refused session left nothing behind.
        expect(await store.getSession(otherId)).toBeNull()
      })

      it('keeps the granted scope and whether the client is public, through listing and rotation', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id, T0, {
          clientId: 'svc',
          scope: ['a', 'b'],
          publicClient: false,
        })
        expect(session).toMatchObject({ clientId: 'svc', scope: ['a', 'b'], publicClient: false })
        expect(await store.getSession(session.id)).toEqual(session)
        expect(await store.listSessions(user.id, T0 + 1)).toEqual([session])
        const { result } = await rotateAt(tokenHash, T0 + 1000, GRACE, 'svc')
        expect(result).toMatchObject({
          kind: 'rotated',
          session: { id: session.id, scope: ['a', 'b'], publicClient: false },
        })
        expect((await rotateAt(tokenHash, T0 + 2000, GRACE, 'svc')).result).toMatchObject({
          kind: 'replayed',
          session: { scope: ['a', 'b'], publicClient: false },
        })
      })

      it('keeps the requested claims through reads, listing and every rotation outcome', async () => {
        const user = await addUser()
        const claims = ['email', 'given_name', 'https://example.com/claims/tier']
        const { session, tokenHash } = await startSession(user.id, T0, { claims })
        expect(session.claims).toEqual(claims)
        expect(await store.getSession(session.id)).toEqual(session)
        expect(await store.listSessions(user.id, T0 + 1)).toEqual([session])
        const rotated = await rotateAt(tokenHash, T0 + 1000)
        expect(rotated.result).toEqual({
          kind: 'rotated',
          generation: 2,
          session: { ...session, lastUsedAt: T0 + 1000 },
          roles: ['reader'],
        })
        expect((await rotateAt(tokenHash, T0 + 2000)).result).toEqual({
          kind: 'replayed',
          session: { ...session, lastUsedAt: T0 + 1000 },
          sealedSuccessor: sealedFor(rotated.successorHash),
          roles: ['reader'],
        })
        expect((await rotateAt(tokenHash, T0 + 1000 + GRACE + 1)).result).toMatchObject({
          kind: 'reuse_detected',
          session: { id: session.id, claims, revokedReason: 'reuse_detected' },
        })
        // A session started without any (most are) has none, and rotates with none.
        const plain = await startSession(user.id, T0 + 5000)
        expect(plain.session.claims).toEqual([])
        expect(await store.getSession(plain.session.id)).toEqual(plain.session)
        expect((await rotateAt(plain.tokenHash, T0 + 6000)).result).toMatchObject({
          kind: 'rotated',
          session: { id: plain.session.id, claims: [] },
        })
        const empty = await startSession(user.id, T0 + 7000, { claims: [] })
        expect(await store.getSession(empty.session.id)).toEqual({ ...empty.session, claims: [] })
      })
    })

    describe('rotate', () => {
      it('rotates a live token: consumes it and records one successor, generation + 1', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const now = T0 + 60_000
        const { result, successorHash } = await rotateAt(tokenHash, now)
        expect(result).toEqual({
          kind: 'rotated',
          generation: 2,
          session: { ...session, lastUsedAt: now },
          roles: ['reader'],
        })
        expect(await store.findToken(tokenHash)).toMatchObject({ consumedAt: now, generation: 1 })
        expect(await store.findToken(successorHash)).toEqual({
          hash: successorHash,
          sessionId: session.id,
          generation: 2,
          createdAt: now,
          idleExpiresAt: now + IDLE,
          consumedAt: null,
        })
        const next = await rotateAt(successorHash, now + 60_000)
        expect(next.result).toMatchObject({ kind: 'rotated', generation: 3 })
      })

      it('answers unknown for a token it never issued', async () => {
        expect((await rotateAt(newHash(), T0)).result).toEqual({ kind: 'invalid', reason: 'unknown' })
      })

      it('answers revoked for a token of a revoked session and records nothing', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        expect(await store.revokeSession(session.id, 'logout', T0 + 1)).toBe(true)
        const { result, successorHash } = await rotateAt(tokenHash, T0 + 2)
        expect(result).toEqual({ kind: 'invalid', reason: 'revoked' })
        expect(await store.findToken(successorHash)).toBeNull()
        expect((await store.findToken(tokenHash))?.consumedAt).toBeNull()
      })

      it('answers session_expired at and after the absolute lifetime, even with a live token', async () => {
        const user = await addUser()
        const { tokenHash } = await startSession(user.id, T0, { absoluteMs: DAY, idleMs: DAY })
        expect((await rotateAt(tokenHash, T0 + DAY)).result).toEqual({
          kind: 'invalid',
          reason: 'session_expired',
        })
        expect((await store.findToken(tokenHash))?.consumedAt).toBeNull()
      })

      it('answers idle_expired at and after the token idle lifetime', async () => {
        const user = await addUser()
        const { tokenHash } = await startSession(user.id)
        expect((await rotateAt(tokenHash, T0 + IDLE)).result).toEqual({
          kind: 'invalid',
          reason: 'idle_expired',
        })
        expect((await store.findToken(tokenHash))?.consumedAt).toBeNull()
        // One millisecond earlier the same token was still live.
        expect((await rotateAt(tokenHash, T0 + IDLE - 1)).result.kind).toBe('rotated')
      })

      it('clamps the successor idle expiry to the absolute expiry (rotation never extends a session)', async () => {
        const user = await addUser()
        // A first token that lives as long as the session, so it can be rotated near the end.
        const { tokenHash } = await startSession(user.id, T0, { idleMs: ABSOLUTE })
        const now = T0 + ABSOLUTE - 1000
        const { result, successorHash } = await rotateAt(tokenHash, now)
        expect(result.kind).toBe('rotated')
        expect((await store.findToken(successorHash))?.idleExpiresAt).toBe(T0 + ABSOLUTE)
        expect((await rotateAt(successorHash, T0 + ABSOLUTE)).result).toEqual({
          kind: 'invalid',
          reason: 'session_expired',
        })
      })

      it('replays the same sealed successor for a retry inside the grace window', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const first = await rotateAt(tokenHash, T0 + 1000)
        expect(first.result.kind).toBe('rotated')
        for (const at of [T0 + 1000, T0 + 5000, T0 + 1000 + GRACE]) {
          const retry = await rotateAt(tokenHash, at)
          expect(retry.result).toMatchObject({
            kind: 'replayed',
            sealedSuccessor: sealedFor(first.successorHash),
            session: { id: session.id, revokedAt: null },
            roles: ['reader'],
          })
          // The retry's own prepared successor is never recorded.
          expect(await store.findToken(retry.successorHash)).toBeNull()
        }
        // The replayed successor is still the one live token of the session.
        expect((await rotateAt(first.successorHash, T0 + 20_000)).result.kind).toBe('rotated')
      })

      it('treats a retry as reuse when the grace window is disabled (graceMs 0)', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const first = await rotateAt(tokenHash, T0 + 1000, 0)
        expect(first.result.kind).toBe('rotated')
        const retry = await rotateAt(tokenHash, T0 + 1000, 0)
        expect(retry.result).toMatchObject({
          kind: 'reuse_detected',
          session: { id: session.id, revokedAt: T0 + 1000, revokedReason: 'reuse_detected' },
        })
        expect((await rotateAt(first.successorHash, T0 + 1001, 0)).result).toEqual({
          kind: 'invalid',
          reason: 'revoked',
        })
      })

      it('detects reuse after the grace window and kills the whole session, newest token included', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const first = await rotateAt(tokenHash, T0 + 1000)
        const late = T0 + 1000 + GRACE + 1
        const reuse = await rotateAt(tokenHash, late)
        expect(reuse.result).toEqual({
          kind: 'reuse_detected',
          session: { ...session, lastUsedAt: T0 + 1000, revokedAt: late, revokedReason: 'reuse_detected' },
        })
        expect(await store.findToken(reuse.successorHash)).toBeNull()
        expect((await rotateAt(first.successorHash, late + 1)).result).toEqual({
          kind: 'invalid',
          reason: 'revoked',
        })
        expect(await store.getSession(session.id)).toMatchObject({ revokedReason: 'reuse_detected' })
        expect(await store.listSessions(user.id, late + 1)).toEqual([])
        // The session is already dead: presenting the old token again reports it as revoked.
        expect((await rotateAt(tokenHash, late + 2)).result).toEqual({ kind: 'invalid', reason: 'revoked' })
      })

      it('detects reuse of an older generation even inside the grace window', async () => {
        const user = await addUser()
        const { tokenHash: a } = await startSession(user.id)
        const b = await rotateAt(a, T0 + 1000)
        const c = await rotateAt(b.successorHash, T0 + 2000)
        expect(c.result.kind).toBe('rotated')
        const replayA = await rotateAt(a, T0 + 3000)
        expect(replayA.result.kind).toBe('reuse_detected')
        expect((await rotateAt(c.successorHash, T0 + 4000)).result).toEqual({
          kind: 'invalid',
          reason: 'revoked',
        })
      })

      it('answers idle_expired, not reuse, for a consumed token past its own idle expiry', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const step = await rotateAt(tokenHash, T0 + 1000)
        expect((await rotateAt(tokenHash, T0 + IDLE)).result).toEqual({
          kind: 'invalid',
          reason: 'idle_expired',
        })
        expect(await store.getSession(session.id)).toMatchObject({ revokedAt: null })
        expect((await rotateAt(step.successorHash, T0 + IDLE + 1)).result.kind).toBe('rotated')
      })

      it('gives exactly one rotation to 20 concurrent refreshes of one token; the rest replay it', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const now = T0 + 5000
        const attempts = await Promise.all(Array.from({ length: 20 }, () => rotateAt(tokenHash, now)))
        const rotated = attempts.filter((a) => a.result.kind === 'rotated')
        expect(rotated).toHaveLength(1)
        const winner = rotated[0]!.successorHash
        for (const a of attempts) {
          if (a.result.kind === 'rotated') continue
          expect(a.result).toMatchObject({ kind: 'replayed', sealedSuccessor: sealedFor(winner) })
          expect(await store.findToken(a.successorHash)).toBeNull()
        }
        expect(await store.findToken(winner)).toMatchObject({ sessionId: session.id, consumedAt: null })
        expect(await store.getSession(session.id)).toMatchObject({ revokedAt: null })
      })

      it('never yields two successors to concurrent refreshes without a grace window', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const attempts = await Promise.all(
          Array.from({ length: 20 }, () => rotateAt(tokenHash, T0 + 5000, 0)),
        )
        const kinds = attempts.map((a) => a.result.kind)
        expect(kinds.filter((k) => k === 'rotated')).toHaveLength(1)
        expect(kinds.filter((k) => k === 'replayed')).toHaveLength(0)
        // A second presentation with no grace is reuse: the session is revoked.
        expect(kinds.filter((k) => k === 'reuse_detected').length).toBeGreaterThan(0)
        expect((await store.getSession(session.id))?.revokedReason).toBe('reuse_detected')
      })

      it('returns the roles of the user, read in the same step, with every rotation', async () => {
        const user = await addUser()
        const { tokenHash } = await startSession(user.id)
        const first = await rotateAt(tokenHash, T0 + 1000)
        expect(first.result).toMatchObject({ kind: 'rotated', roles: ['reader'] })
        await store.updateUser(user.id, { roles: ['admin', 'reader'], updatedAt: T0 + 1500 })
        // The grace retry reads the user again: it carries the roles as they are now.
        expect((await rotateAt(tokenHash, T0 + 2000)).result).toMatchObject({
          kind: 'replayed',
          roles: ['admin', 'reader'],
        })
        expect((await rotateAt(first.successorHash, T0 + 3000)).result).toMatchObject({
          kind: 'rotated',
          roles: ['admin', 'reader'],
        })
        await store.updateUser(user.id, { roles: [], updatedAt: T0 + 3500 })
        const { tokenHash: other } = await startSession(user.id, T0 + 4000)
        expect((await rotateAt(other, T0 + 5000)).result).toMatchObject({ kind: 'rotated', roles: [] })
      })

      it("refuses a disabled user's token without consuming it, and ends the session in the same step", async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        await store.updateUser(user.id, { disabled: true, updatedAt: T0 + 500 })
        const { result, successorHash } = await rotateAt(tokenHash, T0 + 1000)
        expect(result).toEqual({ kind: 'invalid', reason: 'user_disabled' })
        expect(await store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
        expect(await store.findToken(successorHash)).toBeNull()
        expect(await store.getSession(session.id)).toMatchObject({
          revokedAt: T0 + 1000,
          revokedReason: 'user_disabled',
        })
        expect(await store.listSessions(user.id, T0 + 1001)).toEqual([])
        // Enabling the user again does not revive the session.
        await store.updateUser(user.id, { disabled: false, updatedAt: T0 + 1500 })
        expect((await rotateAt(tokenHash, T0 + 2000)).result).toEqual({ kind: 'invalid', reason: 'revoked' })
      })

      it('checks the user on the grace retry as well', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const first = await rotateAt(tokenHash, T0 + 1000)
        expect(first.result.kind).toBe('rotated')
        await store.updateUser(user.id, { disabled: true, updatedAt: T0 + 1500 })
        expect((await rotateAt(tokenHash, T0 + 2000)).result).toEqual({
          kind: 'invalid',
          reason: 'user_disabled',
        })
        expect(await store.getSession(session.id)).toMatchObject({ revokedReason: 'user_disabled' })
        expect(await store.findToken(first.successorHash)).toMatchObject({ consumedAt: null })
        expect((await rotateAt(first.successorHash, T0 + 3000)).result).toEqual({
          kind: 'invalid',
          reason: 'revoked',
        })
      })

      it('still answers reuse_detected for a disabled user whose consumed token comes back late', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        await rotateAt(tokenHash, T0 + 1000)
        await store.updateUser(user.id, { disabled: true, updatedAt: T0 + 1500 })
        expect((await rotateAt(tokenHash, T0 + 1000 + GRACE + 1)).result.kind).toBe('reuse_detected')
        expect(await store.getSession(session.id)).toMatchObject({ revokedReason: 'reuse_detected' })
      })

      // Registered only where it applies, so no case is ever skipped.
      if (!options.usersOutOfReach)
        it("refuses a deleted user's token without consuming it", async () => {
          if (!deleteUser) throw new Error(`${name}: give deleteUser, or usersOutOfReach in the options`)
          const user = await addUser()
          const { session, tokenHash } = await startSession(user.id)
          await deleteUser(user.id)
          const { result, successorHash } = await rotateAt(tokenHash, T0 + 1000)
          expect(await store.findToken(successorHash)).toBeNull()
          const left = await store.getSession(session.id)
          if (left === null) {
            // The database deleted the user's sessions with it (a cascading foreign key).
            expect(result).toEqual({ kind: 'invalid', reason: 'unknown' })
            expect(await store.findToken(tokenHash)).toBeNull()
          } else {
            expect(result).toEqual({ kind: 'invalid', reason: 'user_disabled' })
            expect(left).toMatchObject({ revokedAt: T0 + 1000, revokedReason: 'user_disabled' })
            expect(await store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
          }
        })

      it('refuses a rotation whose successor hash exists alone: its token stays live, the others commit', async () => {
        const user = await addUser()
        const [a, b, taken] = [
          await startSession(user.id),
          await startSession(user.id),
          await startSession(user.id),
        ]
        const now = T0 + 5000
        const bNext = newHash()
        const rotateTo = (tokenHash: string, hash: string) =>
          store.rotate({
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
        expect((clash as PromiseRejectedResult).reason).toMatchObject({ code: 'conflict' })
        expect(other).toMatchObject({ status: 'fulfilled', value: { kind: 'rotated', generation: 2 } })
        expect(await store.findToken(a.tokenHash)).toMatchObject({ consumedAt: null })
        expect(await store.findToken(taken.tokenHash)).toMatchObject({
          sessionId: taken.session.id,
          consumedAt: null,
        })
        expect(await store.findToken(b.tokenHash)).toMatchObject({ consumedAt: now })
        expect(await store.findToken(bNext)).toMatchObject({ sessionId: b.session.id, consumedAt: null })
        expect((await rotateAt(a.tokenHash, now + 1)).result.kind).toBe('rotated')
      })

      it("refuses another client's rotation without consuming or revoking anything", async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id, T0, { clientId: 'web' })
        const mismatch = { kind: 'invalid', reason: 'client_mismatch' }
        const wrong = await rotateAt(tokenHash, T0 + 1000, GRACE, 'intruder')
        expect(wrong.result).toEqual(mismatch)
        expect(await store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
        expect(await store.findToken(wrong.successorHash)).toBeNull()
        expect(await store.getSession(session.id)).toEqual(session)
        // The right client still rotates it; a public client's session also rotates without one.
        const right = await rotateAt(tokenHash, T0 + 2000, GRACE, 'web')
        expect(right.result).toMatchObject({ kind: 'rotated', generation: 2 })
        expect((await rotateAt(right.successorHash, T0 + 3000, GRACE, null)).result.kind).toBe('rotated')
        // A consumed token sent by a wrong client, past the grace window: not reuse, nothing ends.
        expect((await rotateAt(tokenHash, T0 + 2000 + GRACE + 1, GRACE, 'intruder')).result).toEqual(mismatch)
        expect(await store.getSession(session.id)).toMatchObject({ revokedAt: null })
        // Nor does a wrong client end the session of a disabled user.
        await store.updateUser(user.id, { disabled: true, updatedAt: T0 + 4000 })
        expect((await rotateAt(tokenHash, T0 + 5000, GRACE, 'intruder')).result).toEqual(mismatch)
        expect(await store.getSession(session.id)).toMatchObject({ revokedAt: null })
      })

      it("refuses a confidential client's token presented without a client", async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id, T0, {
          clientId: 'svc',
          publicClient: false,
          scope: ['orders:read'],
        })
        const anonymous = await rotateAt(tokenHash, T0 + 1000, GRACE, null)
        expect(anonymous.result).toEqual({ kind: 'invalid', reason: 'client_mismatch' })
        expect(await store.findToken(tokenHash)).toMatchObject({ consumedAt: null })
        expect(await store.findToken(anonymous.successorHash)).toBeNull()
        expect(await store.getSession(session.id)).toEqual(session)
        expect((await rotateAt(tokenHash, T0 + 2000, GRACE, 'svc')).result).toMatchObject({
          kind: 'rotated',
          session: { id: session.id, publicClient: false, scope: ['orders:read'] },
        })
      })
    })

    describe('authorization codes, login sessions and consent', () => {
      // RFC 6749 §4.1.2: a code is short-lived and single use; these lifetimes are the flow's own.
      const CODE_TTL = 60_000
      const LOGIN_IDLE = DAY
      const LOGIN_ABSOLUTE = 7 * DAY

      const loginSession = (userId: string, at = T0, opts: Partial<LoginSessionRecord> = {}) => ({
        id: randomUUID(),
        secretHash: newHash(),
        userId,
        authTime: at,
        createdAt: at,
        lastSeenAt: at,
        idleExpiresAt: at + LOGIN_IDLE,
        absoluteExpiresAt: at + LOGIN_ABSOLUTE,
        endedAt: null,
        ...opts,
      })

      const authorizationCode = (
        userId: string,
        loginSessionId: string,
        at = T0,
        opts: Partial<AuthorizationCodeRecord> = {},
      ): AuthorizationCodeRecord => ({
        hash: newHash(),
        clientId: 'web',
        userId,
        redirectUri: 'https://app.example/callback',
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        scope: ['openid', 'profile'],
        claims: null,
        nonce: 'n-0S6_WzA2Mj',
        loginSessionId,
        authTime: at - 5000,
        createdAt: at,
        expiresAt: at + CODE_TTL,
        ...opts,
      })

      const sessionFor = (code: AuthorizationCodeRecord, at: number): NewSession => ({
        id: randomUUID(),
        userId: code.userId,
        clientId: code.clientId,
        createdAt: at,
        absoluteExpiresAt: at + ABSOLUTE,
        clientIp: '198.51.100.4',
        userAgent: 'conformance-browser/1.0',
        scope: code.scope,
        publicClient: true,
        tokenHash: newHash(),
        idleExpiresAt: at + IDLE,
      })

      /** A user, a live login session and one code issued in it at T0. */
      async function issued(opts: Partial<AuthorizationCodeRecord> = {}) {
        const user = await addUser()
        const login = loginSession(user.id)
        await store.createLoginSession(login)
        const code = authorizationCode(user.id, login.id, T0, opts)
        await store.createAuthorizationCode(code)
        return { user, login, code }
      }

      it('stores a code and finds it by hash, nonce or not', async () => {
        const { user, login, code } = await issued()
        expect(await store.findAuthorizationCode(code.hash)).toEqual(code)
        const bare = authorizationCode(user.id, login.id, T0, { nonce: null, scope: [] })
        await store.createAuthorizationCode(bare)
        expect(await store.findAuthorizationCode(bare.hash)).toEqual(bare)
        expect(await store.findAuthorizationCode(newHash())).toBeNull()
      })

      it('refuses a code whose hash is taken with a conflict error, keeping the first', async () => {
        const { user, login, code } = await issued()
        const dup = store.createAuthorizationCode({
          ...authorizationCode(user.id, login.id),
          hash: code.hash,
        })
        await expect(dup).rejects.toBeInstanceOf(StoreConflictError)
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'authorization code' })
        expect(await store.findAuthorizationCode(code.hash)).toEqual(code)
      })

      it('keeps a code without a PKCE challenge and its requested claims, through find and redeem', async () => {
        const claims = { idToken: ['email', 'name'], userinfo: ['given_name', 'email'] }
        const { user, login, code } = await issued({ codeChallenge: null, claims })
        expect(code).toMatchObject({ codeChallenge: null, claims })
        expect(await store.findAuthorizationCode(code.hash)).toEqual(code)
        // Claims for one place of release only.
        const idTokenOnly = authorizationCode(user.id, login.id, T0, {
          claims: { idToken: ['sub'], userinfo: [] },
        })
        await store.createAuthorizationCode(idTokenOnly)
        expect(await store.findAuthorizationCode(idTokenOnly.hash)).toEqual(idTokenOnly)
        // The session it starts carries the userinfo claims, through every read.
        const now = T0 + 1000
        const next: NewSession = { ...sessionFor(code, now), claims: claims.userinfo }
        const result = await store.redeemAuthorizationCode(code.hash, now, next)
        expect(result).toMatchObject({
          kind: 'redeemed',
          session: { id: next.id, claims: ['given_name', 'email'] },
        })
        const session = result.kind === 'redeemed' ? result.session : null
        expect(await store.getSession(next.id)).toEqual(session)
        expect(await store.listSessions(user.id, now + 1)).toEqual([session])
        expect((await rotateAt(next.tokenHash, now + 1000)).result).toMatchObject({
          kind: 'rotated',
          session: { id: next.id, claims: ['given_name', 'email'] },
        })
        // The consumed code still reads back whole, for the caller to check its bindings.
        expect(await store.findAuthorizationCode(code.hash)).toEqual(code)
        expect(
          await store.redeemAuthorizationCode(code.hash, now + 2000, sessionFor(code, now + 2000)),
        ).toEqual({
          kind: 'replayed',
          sessionId: next.id,
        })
      })

      it('redeems a live code once: the session and its first token are created in the same step', async () => {
        const { code } = await issued()
        const now = T0 + 1000
        const next = sessionFor(code, now)
        const result = await store.redeemAuthorizationCode(code.hash, now, next)
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
        }
        expect(result).toEqual({ kind: 'redeemed', session: expected })
        expect(await store.getSession(next.id)).toEqual(expected)
        expect(await store.findToken(next.tokenHash)).toEqual({
          hash: next.tokenHash,
          sessionId: next.id,
          generation: 1,
          createdAt: now,
          idleExpiresAt: now + IDLE,
          consumedAt: null,
        })
        // The session rotates like any other.
        expect((await rotateAt(next.tokenHash, now + 1000)).result.kind).toBe('rotated')
        // A consumed code is still found, for the caller to check its bindings.
        expect(await store.findAuthorizationCode(code.hash)).toEqual(code)
      })

      it('answers invalid for an unknown code or one at or past its expiry, and creates nothing', async () => {
        const { code } = await issued()
        const unknown = sessionFor(code, T0)
        expect(await store.redeemAuthorizationCode(newHash(), T0, unknown)).toEqual({ kind: 'invalid' })
        expect(await store.getSession(unknown.id)).toBeNull()
        for (const at of [code.expiresAt, code.expiresAt + DAY]) {
          const late = sessionFor(code, at)
          expect(await store.redeemAuthorizationCode(code.hash, at, late)).toEqual({ kind: 'invalid' })
          expect(await store.getSession(late.id)).toBeNull()
          expect(await store.findToken(late.tokenHash)).toBeNull()
        }
        // One millisecond before its expiry the same code still redeems.
        const inTime = sessionFor(code, code.expiresAt - 1)
        expect(await store.redeemAuthorizationCode(code.hash, code.expiresAt - 1, inTime)).toMatchObject({
          kind: 'redeemed',
        })
      })

      it('answers replayed with the first session for a second redeem, also after the expiry (RFC 6749 §4.1.2)', async () => {
        const { code } = await issued()
        const first = sessionFor(code, T0 + 1000)
        expect((await store.redeemAuthorizationCode(code.hash, T0 + 1000, first)).kind).toBe('redeemed')
        for (const at of [T0 + 2000, code.expiresAt, code.expiresAt + DAY]) {
          const again = sessionFor(code, at)
          expect(await store.redeemAuthorizationCode(code.hash, at, again)).toEqual({
            kind: 'replayed',
            sessionId: first.id,
          })
          expect(await store.getSession(again.id)).toBeNull()
          expect(await store.findToken(again.tokenHash)).toBeNull()
        }
      })

      it('leaves the code unconsumed when its session cannot be created (all or nothing)', async () => {
        const { user, code } = await issued()
        const { tokenHash: taken } = await startSession(user.id)
        const clash = { ...sessionFor(code, T0 + 1000), tokenHash: taken }
        await expect(store.redeemAuthorizationCode(code.hash, T0 + 1000, clash)).rejects.toBeInstanceOf(
          StoreConflictError,
        )
        expect(await store.getSession(clash.id)).toBeNull()
        const retry = sessionFor(code, T0 + 2000)
        expect(await store.redeemAuthorizationCode(code.hash, T0 + 2000, retry)).toMatchObject({
          kind: 'redeemed',
          session: { id: retry.id },
        })
      })

      it('gives one code to exactly one of 20 concurrent redeems; the others are told it was replayed', async () => {
        const { code } = await issued()
        const other = openAnother?.()
        try {
          const attempts = Array.from({ length: 20 }, (_, i) => sessionFor(code, T0 + 1000 + i))
          const results = await Promise.all(
            attempts.map((s, i) =>
              (i % 2 && other ? other : store).redeemAuthorizationCode(code.hash, s.createdAt, s),
            ),
          )
          const redeemed = results.flatMap((r) => (r.kind === 'redeemed' ? [r.session.id] : []))
          expect(redeemed).toHaveLength(1)
          for (const r of results) {
            if (r.kind !== 'redeemed') expect(r).toEqual({ kind: 'replayed', sessionId: redeemed[0] })
          }
          for (const s of attempts.filter((a) => a.id !== redeemed[0])) {
            expect(await store.getSession(s.id)).toBeNull()
            expect(await store.findToken(s.tokenHash)).toBeNull()
          }
        } finally {
          await other?.close()
        }
      })

      it('finds a live login session by its secret hash, and never an ended or expired one', async () => {
        const user = await addUser()
        const live = loginSession(user.id)
        await store.createLoginSession(live)
        expect(await store.findLoginSession(live.secretHash, T0 + 1)).toEqual(live)
        expect(await store.getLoginSession(live.id)).toEqual(live)
        expect(await store.findLoginSession(newHash(), T0 + 1)).toBeNull()
        expect(await store.getLoginSession('nobody')).toBeNull()
        // Idle expiry, then absolute expiry, each at its instant.
        expect(await store.findLoginSession(live.secretHash, live.idleExpiresAt - 1)).toEqual(live)
        expect(await store.findLoginSession(live.secretHash, live.idleExpiresAt)).toBeNull()
        const long = loginSession(user.id, T0, { idleExpiresAt: T0 + LOGIN_ABSOLUTE })
        await store.createLoginSession(long)
        expect(await store.findLoginSession(long.secretHash, long.absoluteExpiresAt - 1)).toEqual(long)
        expect(await store.findLoginSession(long.secretHash, long.absoluteExpiresAt)).toBeNull()
        const ended = loginSession(user.id, T0, { endedAt: T0 })
        await store.createLoginSession(ended)
        expect(await store.findLoginSession(ended.secretHash, T0 + 1)).toBeNull()
        expect(await store.getLoginSession(ended.id)).toEqual(ended)
      })

      it('clamps a login session idle expiry to its absolute expiry', async () => {
        const user = await addUser()
        const login = loginSession(user.id, T0, { idleExpiresAt: T0 + 2 * LOGIN_ABSOLUTE })
        await store.createLoginSession(login)
        expect(await store.getLoginSession(login.id)).toEqual({
          ...login,
          idleExpiresAt: login.absoluteExpiresAt,
        })
      })

      it('refuses a login session whose id or secret hash is taken with a conflict error', async () => {
        const user = await addUser()
        const login = loginSession(user.id)
        await store.createLoginSession(login)
        const sameId = { ...loginSession(user.id), id: login.id }
        await expect(store.createLoginSession(sameId)).rejects.toBeInstanceOf(StoreConflictError)
        const sameSecret = { ...loginSession(user.id), secretHash: login.secretHash }
        await expect(store.createLoginSession(sameSecret)).rejects.toMatchObject({ code: 'conflict' })
        expect(await store.getLoginSession(sameSecret.id)).toBeNull()
        expect(await store.findLoginSession(login.secretHash, T0 + 1)).toEqual(login)
      })

      it('slides the idle expiry on touch, never past the absolute expiry, and not for an ended session', async () => {
        const user = await addUser()
        const login = loginSession(user.id)
        await store.createLoginSession(login)
        const at = T0 + LOGIN_IDLE - 1
        await store.touchLoginSession(login.id, at, at + LOGIN_IDLE)
        const touched = { ...login, lastSeenAt: at, idleExpiresAt: at + LOGIN_IDLE }
        expect(await store.getLoginSession(login.id)).toEqual(touched)
        // Past the old idle expiry the touched session is still live.
        expect(await store.findLoginSession(login.secretHash, T0 + LOGIN_IDLE + 1)).toEqual(touched)
        const late = T0 + LOGIN_ABSOLUTE - 10
        await store.touchLoginSession(login.id, late, late + LOGIN_IDLE)
        expect(await store.getLoginSession(login.id)).toEqual({
          ...login,
          lastSeenAt: late,
          idleExpiresAt: login.absoluteExpiresAt,
        })
        expect(await store.findLoginSession(login.secretHash, login.absoluteExpiresAt)).toBeNull()
        await store.endLoginSession(login.id, late + 1)
        await store.touchLoginSession(login.id, late + 2, late + 3)
        expect(await store.getLoginSession(login.id)).toMatchObject({ lastSeenAt: late, endedAt: late + 1 })
        await store.touchLoginSession('nobody', T0, T0 + 1)
        expect(await store.getLoginSession('nobody')).toBeNull()
      })

      it('ends a login session and answers the sessions its codes started, again when ended twice', async () => {
        const { user, login, code } = await issued()
        const second = authorizationCode(user.id, login.id, T0 + 10)
        await store.createAuthorizationCode(second)
        const elsewhere = loginSession(user.id)
        await store.createLoginSession(elsewhere)
        const foreign = authorizationCode(user.id, elsewhere.id)
        await store.createAuthorizationCode(foreign)
        const started: string[] = []
        for (const c of [code, second, foreign]) {
          const s = sessionFor(c, T0 + 100)
          expect((await store.redeemAuthorizationCode(c.hash, T0 + 100, s)).kind).toBe('redeemed')
          if (c !== foreign) started.push(s.id)
        }
        // Revoked or not, they are answered: the caller revokes what is still live.
        await store.revokeSession(started[0]!, 'logout', T0 + 150)
        const sorted = [...started].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        expect(await store.endLoginSession(login.id, T0 + 200)).toEqual(sorted)
        expect(await store.findLoginSession(login.secretHash, T0 + 201)).toBeNull()
        expect(await store.getLoginSession(login.id)).toEqual({ ...login, endedAt: T0 + 200 })
        expect(await store.endLoginSession(login.id, T0 + 300)).toEqual(sorted)
        expect(await store.getLoginSession(login.id)).toMatchObject({ endedAt: T0 + 200 })
        // The other login session is untouched.
        expect(await store.findLoginSession(elsewhere.secretHash, T0 + 301)).toEqual(elsewhere)
        expect(await store.endLoginSession('nobody', T0)).toEqual([])
      })

      it('saves, replaces, lists and revokes consent per user and client', async () => {
        const alice = await addUser()
        const bob = await addUser()
        expect(await store.getConsent(alice.id, 'crm')).toBeNull()
        expect(await store.listConsents(alice.id)).toEqual([])
        const crm = { userId: alice.id, clientId: 'crm', scope: ['openid', 'profile'], grantedAt: T0 }
        await store.saveConsent(crm)
        await store.saveConsent({ userId: alice.id, clientId: 'Wiki', scope: [], grantedAt: T0 + 1 })
        await store.saveConsent({ userId: bob.id, clientId: 'crm', scope: ['openid'], grantedAt: T0 + 2 })
        expect(await store.getConsent(alice.id, 'crm')).toEqual(crm)
        const more = { ...crm, scope: ['openid', 'profile', 'email'], grantedAt: T0 + 10 }
        await store.saveConsent(more)
        expect(await store.getConsent(alice.id, 'crm')).toEqual(more)
        expect(await store.listConsents(alice.id)).toEqual([
          { userId: alice.id, clientId: 'Wiki', scope: [], grantedAt: T0 + 1 },
          more,
        ])
        expect(await store.revokeConsent(alice.id, 'crm')).toBe(true)
        expect(await store.revokeConsent(alice.id, 'crm')).toBe(false)
        expect(await store.revokeConsent(alice.id, 'never')).toBe(false)
        expect(await store.getConsent(alice.id, 'crm')).toBeNull()
        expect((await store.listConsents(alice.id)).map((c) => c.clientId)).toEqual(['Wiki'])
        expect(await store.getConsent(bob.id, 'crm')).toMatchObject({ scope: ['openid'] })
      })

      it('purge forgets an expired code only after the replay memory, and the dead login sessions', async () => {
        const { user, login, code } = await issued()
        const first = sessionFor(code, T0 + 1000)
        await store.redeemAuthorizationCode(code.hash, T0 + 1000, first)
        const unused = authorizationCode(user.id, login.id)
        await store.createAuthorizationCode(unused)
        const fresh = authorizationCode(user.id, login.id, T0 + DAY)
        await store.createAuthorizationCode(fresh)
        const ended = loginSession(user.id)
        await store.createLoginSession(ended)
        await store.endLoginSession(ended.id, T0 + 10)
        const idled = loginSession(user.id, T0, { idleExpiresAt: T0 + 1000 })
        await store.createLoginSession(idled)
        const live = loginSession(user.id, T0 + DAY)
        await store.createLoginSession(live)

        // Within a day of its expiry a replay still finds the session to revoke.
        const memory = code.expiresAt + DAY
        expect(await store.purgeExpired(memory - 1)).toBeGreaterThanOrEqual(2)
        expect(await store.findAuthorizationCode(code.hash)).toEqual(code)
        expect(await store.findAuthorizationCode(unused.hash)).toEqual(unused)
        expect(
          (await store.redeemAuthorizationCode(code.hash, memory - 1, sessionFor(code, memory - 1))).kind,
        ).toBe('replayed')
        expect(await store.getLoginSession(ended.id)).toBeNull()
        expect(await store.getLoginSession(idled.id)).toBeNull()
        expect(await store.findLoginSession(idled.secretHash, T0)).toBeNull()

        expect(await store.purgeExpired(memory)).toBeGreaterThanOrEqual(2)
        expect(await store.findAuthorizationCode(code.hash)).toBeNull()
        expect(await store.findAuthorizationCode(unused.hash)).toBeNull()
        expect(await store.redeemAuthorizationCode(code.hash, memory, sessionFor(code, memory))).toEqual({
          kind: 'invalid',
        })
        // Live things stay: the code issued a day later, the live login session, the session.
        expect(await store.findAuthorizationCode(fresh.hash)).toEqual(fresh)
        expect(await store.findLoginSession(live.secretHash, memory)).toEqual(live)
        expect(await store.getSession(first.id)).not.toBeNull()
      })

      it('purge removes nothing while codes and login sessions are live', async () => {
        await issued()
        expect(await store.purgeExpired(T0 + 1)).toBe(0)
      })
    })

    describe('clients', () => {
      const confidential = (id: string, at = T0): ClientRecord => ({
        id,
        name: `Service ${id}`,
        type: 'confidential',
        grants: ['client_credentials', 'refresh_token'],
        scopes: ['orders:read', 'orders:write'],
        audiences: ['orders', 'billing'],
        firstParty: false,
        accessTokenTtlSec: 300,
        secretHash: 'a'.repeat(64),
        previousSecretHash: 'b'.repeat(64),
        previousSecretExpiresAt: at + DAY,
        jwks: {
          keys: [
            { kty: 'EC', crv: 'P-256', x: 'xx', y: 'yy', kid: 'k1', key_ops: ['verify'] },
            { kty: 'OKP', crv: 'Ed25519', x: 'zz', ext: true, extra: { nested: [1, null, 'two'] } },
          ],
        },
        jwksUri: 'https://svc.example/jwks.json',
        redirectUris: ['https://svc.example/callback', 'http://127.0.0.1/cb'],
        postLogoutRedirectUris: ['https://svc.example/bye'],
        // Not the default policy, so a store that forgot it would answer the default instead.
        pkce: 'required',
        webOrigins: ['https://app.svc.example', 'http://localhost:3000'],
        disabled: false,
        createdAt: at,
        updatedAt: at,
      })

      it('creates, reads and patches a client, lists, JWKS, nulls and the disabled flag included', async () => {
        const full = confidential('svc')
        expect(await store.createClient(full)).toEqual(full)
        expect(await store.getClient('svc')).toEqual(full)
        // Every nullable field null, every list empty.
        const bare = firstPartyPublicClient('web', T0)
        const empty: ClientRecord = { ...bare, grants: [], firstParty: false }
        expect(await store.createClient(empty)).toEqual(empty)
        expect(await store.getClient('web')).toEqual(empty)
        expect(await store.getClient('nobody')).toBeNull()

        const patch = {
          secretHash: 'c'.repeat(64),
          previousSecretHash: null,
          previousSecretExpiresAt: null,
          jwks: null,
          accessTokenTtlSec: null,
          scopes: [],
          disabled: true,
          updatedAt: T0 + 10,
        }
        const expected: ClientRecord = { ...full, ...patch }
        expect(await store.updateClient('svc', patch)).toEqual(expected)
        expect(await store.getClient('svc')).toEqual(expected)
        // And back from null, the other fields untouched.
        const unpatch = {
          name: 'Web app',
          grants: ['password' as const, 'refresh_token' as const],
          firstParty: true,
          jwks: full.jwks,
          jwksUri: 'http://127.0.0.1:8080/jwks',
          accessTokenTtlSec: 60,
          disabled: false,
          updatedAt: T0 + 20,
        }
        const back = await store.updateClient('web', unpatch)
        expect(back).toEqual({ ...empty, ...unpatch })
        expect(await store.getClient('web')).toEqual(back)
      })

      it('replaces the redirect URI lists by patch (RFC 6749 §3.1.2), leaving the other fields', async () => {
        const full = confidential('app')
        await store.createClient(full)
        const patch = {
          redirectUris: ['com.example.app:/cb'],
          postLogoutRedirectUris: [],
          updatedAt: T0 + 1,
        }
        expect(await store.updateClient('app', patch)).toEqual({ ...full, ...patch })
        expect(await store.getClient('app')).toEqual({ ...full, ...patch })
      })

      it('keeps the PKCE policy and web origins, replaces them by patch, and keeps them through other patches', async () => {
        const full = confidential('spa-api')
        expect(await store.createClient(full)).toEqual(full)
        expect(await store.getClient('spa-api')).toEqual(full)
        const relaxed = {
          pkce: 'openid-optional' as const,
          webOrigins: ['https://other.example'],
          updatedAt: T0 + 1,
        }
        expect(await store.updateClient('spa-api', relaxed)).toEqual({ ...full, ...relaxed })
        const noOrigins = { webOrigins: [], updatedAt: T0 + 2 }
        expect(await store.updateClient('spa-api', noOrigins)).toEqual({ ...full, ...relaxed, ...noOrigins })
        const renamed = await store.updateClient('spa-api', { name: 'Renamed', updatedAt: T0 + 3 })
        expect(renamed).toEqual({ ...full, ...relaxed, ...noOrigins, name: 'Renamed', updatedAt: T0 + 3 })
        const strict = { pkce: 'required' as const, webOrigins: ['https://spa.example'], updatedAt: T0 + 4 }
        const back = await store.updateClient('spa-api', strict)
        expect(back).toEqual({ ...renamed, ...strict })
        expect(await store.listClients()).toEqual([back])
      })

      it('refuses a taken client id with a conflict error, keeping the first', async () => {
        const first = confidential('svc')
        await store.createClient(first)
        const dup = store.createClient({ ...confidential('svc'), name: 'impostor', secretHash: null })
        await expect(dup).rejects.toBeInstanceOf(StoreConflictError)
        await expect(dup).rejects.toMatchObject({ code: 'conflict', field: 'client id' })
        expect(await store.getClient('svc')).toEqual(first)
      })

      it('answers null when patching a client that does not exist, creating nothing', async () => {
        expect(await store.updateClient('ghost', { disabled: true, updatedAt: T0 })).toBeNull()
        expect(await store.getClient('ghost')).toBeNull()
        expect(await store.listClients()).toEqual([])
      })

      it('deletes a client once; its id can then be registered again', async () => {
        await store.createClient(confidential('svc'))
        await store.createClient(confidential('other'))
        expect(await store.deleteClient('svc')).toBe(true)
        expect(await store.deleteClient('svc')).toBe(false)
        expect(await store.deleteClient('never')).toBe(false)
        expect(await store.getClient('svc')).toBeNull()
        expect((await store.listClients()).map((c) => c.id)).toEqual(['other'])
        const again = { ...confidential('svc', T0 + 5), name: 'reborn' }
        expect(await store.createClient(again)).toEqual(again)
      })

      it('lists every client by id, in code-point order', async () => {
        for (const id of ['b.svc', '~x', 'a_web', 'Zed', 'a-web']) await store.createClient(confidential(id))
        const listed = await store.listClients()
        expect(listed.map((c) => c.id)).toEqual(['Zed', 'a-web', 'a_web', 'b.svc', '~x'])
        expect(listed[0]).toEqual(confidential('Zed'))
      })
    })

    describe('rememberOnce', () => {
      it('remembers a key until its instant, then takes it again', async () => {
        expect(await store.rememberOnce('jti:a', T0 + MINUTE, T0)).toBe(true)
        expect(await store.rememberOnce('jti:a', T0 + 5 * MINUTE, T0 + MINUTE - 1)).toBe(false)
        expect(await store.rememberOnce('jti:b', T0 + MINUTE, T0)).toBe(true)
        // At its until the old entry has passed: the key is remembered anew, with the new until.
        expect(await store.rememberOnce('jti:a', T0 + 3 * MINUTE, T0 + MINUTE)).toBe(true)
        expect(await store.rememberOnce('jti:a', T0 + 9 * MINUTE, T0 + 2 * MINUTE)).toBe(false)
        expect(await store.rememberOnce('jti:a', T0 + 9 * MINUTE, T0 + 3 * MINUTE)).toBe(true)
      })

      it('gives one key to exactly one of 20 concurrent callers', async () => {
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => store.rememberOnce('jti:race', T0 + MINUTE, T0)),
        )
        expect(answers.filter(Boolean)).toHaveLength(1)
      })

      it('is forgotten by purge once passed, and kept while live', async () => {
        await store.rememberOnce('jti:old', T0 + MINUTE, T0)
        await store.rememberOnce('jti:new', T0 + DAY, T0)
        expect(await store.purgeExpired(T0 + 2 * MINUTE)).toBe(1)
        // Asked as of an instant when the old entry was live: only a purged entry answers true.
        expect(await store.rememberOnce('jti:old', T0 + 5 * MINUTE, T0 + 1)).toBe(true)
        expect(await store.rememberOnce('jti:new', T0 + DAY, T0 + 2 * MINUTE)).toBe(false)
      })
    })

    describe('revocation and listing', () => {
      it('revokes one session once and reports whether it was live', async () => {
        const user = await addUser()
        const { session } = await startSession(user.id)
        expect(await store.revokeSession(session.id, 'logout', T0 + 10)).toBe(true)
        expect(await store.getSession(session.id)).toEqual({
          ...session,
          revokedAt: T0 + 10,
          revokedReason: 'logout',
        })
        expect(await store.revokeSession(session.id, 'again', T0 + 20)).toBe(false)
        expect((await store.getSession(session.id))?.revokedReason).toBe('logout')
        expect(await store.revokeSession('nope', 'logout', T0)).toBe(false)
        const expired = await startSession(user.id, T0, { absoluteMs: DAY })
        expect(await store.revokeSession(expired.session.id, 'logout', T0 + DAY)).toBe(false)
      })

      it("revokes every live session of one user and no one else's", async () => {
        const alice = await addUser()
        const bob = await addUser()
        const a1 = await startSession(alice.id)
        const a2 = await startSession(alice.id, T0 + 1)
        const a3 = await startSession(alice.id, T0 + 2)
        await store.revokeSession(a3.session.id, 'logout', T0 + 3)
        const b1 = await startSession(bob.id)
        expect(await store.revokeUserSessions(alice.id, 'logout_all', T0 + 100)).toBe(2)
        expect(await store.getSession(a1.session.id)).toMatchObject({
          revokedAt: T0 + 100,
          revokedReason: 'logout_all',
        })
        expect(await store.getSession(a2.session.id)).toMatchObject({ revokedReason: 'logout_all' })
        expect(await store.getSession(a3.session.id)).toMatchObject({
          revokedAt: T0 + 3,
          revokedReason: 'logout',
        })
        expect(await store.getSession(b1.session.id)).toMatchObject({ revokedAt: null })
        expect((await rotateAt(a1.tokenHash, T0 + 101)).result).toEqual({
          kind: 'invalid',
          reason: 'revoked',
        })
        expect((await rotateAt(b1.tokenHash, T0 + 101)).result.kind).toBe('rotated')
        expect(await store.revokeUserSessions(alice.id, 'logout_all', T0 + 200)).toBe(0)
      })

      it('lists only live sessions of the user, newest first', async () => {
        const alice = await addUser()
        const bob = await addUser()
        const now = T0 + 2 * DAY
        const older = await startSession(alice.id, T0)
        const newer = await startSession(alice.id, T0 + 1000)
        const revoked = await startSession(alice.id, T0 + 2000)
        await store.revokeSession(revoked.session.id, 'logout', T0 + 3000)
        await startSession(alice.id, T0, { absoluteMs: DAY }) // past its absolute lifetime
        await startSession(alice.id, T0, { idleMs: DAY }) // its only token idled out
        await startSession(bob.id, T0)
        // A rotated session stays listed, with its last use.
        const rotated = await rotateAt(newer.tokenHash, T0 + DAY)
        expect(rotated.result.kind).toBe('rotated')
        const listed = await store.listSessions(alice.id, now)
        expect(listed.map((s) => s.id)).toEqual([newer.session.id, older.session.id])
        expect(listed[0]).toEqual({ ...newer.session, lastUsedAt: T0 + DAY })
        expect(await store.listSessions('nobody', now)).toEqual([])
      })
    })

    // The revocation feed's source (docs/issuer.md, "Revocation feed"). Entries last the store's
    // revocation TTL (the default here: 15 min access tokens plus 60 s skew).
    describe('revocation entries', () => {
      const TTL = DEFAULT_REVOCATION_TTL_MS

      it('writes a session entry when revokeSession ends a live session, and only then', async () => {
        const user = await addUser()
        const { session } = await startSession(user.id)
        expect(await store.readRevocations(0, T0)).toEqual({ cursor: 0, entries: [] })
        expect(await store.revokeSession(session.id, 'logout', T0 + 10)).toBe(true)
        const page = await store.readRevocations(0, T0 + 10)
        expect(page.entries).toEqual([
          { seq: page.cursor, kind: 'session', subject: session.id, at: T0 + 10, until: T0 + 10 + TTL },
        ])
        expect(page.cursor).toBeGreaterThan(0)
        expect(await store.revokeSession(session.id, 'again', T0 + 20)).toBe(false)
        expect(await store.revokeSession('nope', 'logout', T0 + 20)).toBe(false)
        expect(await store.readRevocations(page.cursor, T0 + 20)).toEqual({
          cursor: page.cursor,
          entries: [],
        })
      })

      it('writes a user entry on every revokeUserSessions, even with no live session; a later one replaces it', async () => {
        const alice = await addUser()
        await startSession(alice.id)
        expect(await store.revokeUserSessions(alice.id, 'logout_all', T0 + 100)).toBe(1)
        const first = await store.readRevocations(0, T0 + 100)
        expect(first.entries).toEqual([
          { seq: first.cursor, kind: 'user', subject: alice.id, at: T0 + 100, until: T0 + 100 + TTL },
        ])
        expect(await store.revokeUserSessions(alice.id, 'user_disabled', T0 + 200)).toBe(0)
        const second = await store.readRevocations(0, T0 + 200)
        expect(second.cursor).toBeGreaterThan(first.cursor)
        expect(second.entries).toEqual([
          { seq: second.cursor, kind: 'user', subject: alice.id, at: T0 + 200, until: T0 + 200 + TTL },
        ])
        // A delta from the first cursor carries the replacement.
        expect((await store.readRevocations(first.cursor, T0 + 200)).entries.map((e) => e.at)).toEqual([
          T0 + 200,
        ])
      })

      it('recordRevocation is idempotent: the same or an earlier instant changes nothing, a later one replaces', async () => {
        await store.recordRevocation('session', 'sid-1', T0 + 50)
        const once = await store.readRevocations(0, T0)
        await store.recordRevocation('session', 'sid-1', T0 + 50)
        await store.recordRevocation('session', 'sid-1', T0 + 10)
        const again = await store.readRevocations(0, T0)
        expect(again.entries).toEqual(once.entries)
        expect(again.entries).toHaveLength(1)
        expect((await store.readRevocations(once.cursor, T0)).entries).toEqual([])
        await store.recordRevocation('session', 'sid-1', T0 + 60)
        const later = await store.readRevocations(once.cursor, T0)
        expect(later.entries).toMatchObject([
          { kind: 'session', subject: 'sid-1', at: T0 + 60, until: T0 + 60 + TTL },
        ])
        // Kinds are separate: a user with the same id is its own entry.
        await store.recordRevocation('user', 'sid-1', T0 + 60)
        expect((await store.readRevocations(0, T0)).entries.map((e) => e.kind)).toEqual(['session', 'user'])
      })

      it('serves deltas in sequence order and never an entry past its until', async () => {
        await store.recordRevocation('session', 'a', T0)
        await store.recordRevocation('user', 'u', T0 + 1000)
        await store.recordRevocation('session', 'b', T0 + 2000)
        const all = await store.readRevocations(0, T0 + 2000)
        expect(all.entries.map((e) => e.subject)).toEqual(['a', 'u', 'b'])
        const seqs = all.entries.map((e) => e.seq)
        expect([...seqs].sort((x, y) => x - y)).toEqual(seqs)
        expect(all.cursor).toBe(seqs[2])
        expect((await store.readRevocations(seqs[0]!, T0 + 2000)).entries.map((e) => e.subject)).toEqual([
          'u',
          'b',
        ])
        // Past a's until (at + TTL) it is no longer served, though not yet purged.
        expect((await store.readRevocations(0, T0 + TTL)).entries.map((e) => e.subject)).toEqual(['u', 'b'])
        expect((await store.readRevocations(0, T0 + TTL + 2000)).entries).toEqual([])
      })

      it('purge drops entries past their until; the cursor never moves back', async () => {
        await store.recordRevocation('session', 'old', T0)
        await store.recordRevocation('session', 'kept', T0 + 10 * MINUTE)
        const before = await store.readRevocations(0, T0)
        expect(await store.purgeExpired(T0 + TTL + 1)).toBeGreaterThanOrEqual(1)
        const after = await store.readRevocations(0, T0)
        expect(after.entries.map((e) => e.subject)).toEqual(['kept'])
        expect(after.cursor).toBe(before.cursor)
        await store.recordRevocation('session', 'old', T0 + TTL + 2)
        const next = await store.readRevocations(before.cursor, T0 + TTL + 2)
        expect(next.entries.map((e) => e.subject)).toEqual(['old'])
        expect(next.cursor).toBeGreaterThan(before.cursor)
      })
    })

    describe('purgeExpired', () => {
      it('removes expired, revoked and idled-out sessions with their tokens, and keeps live ones', async () => {
        const user = await addUser()
        const live = await startSession(user.id, T0)
        const expired = await startSession(user.id, T0, { absoluteMs: DAY })
        const revoked = await startSession(user.id, T0)
        await store.revokeSession(revoked.session.id, 'logout', T0 + 10)
        const idle = await startSession(user.id, T0, { idleMs: DAY })
        await hit('login:gone', T0, 1000)
        await hit('login:kept', T0 + 2 * DAY, DAY)
        // The live session rotates just before its first token idles out.
        const step = await rotateAt(live.tokenHash, T0 + DAY)
        expect(step.result.kind).toBe('rotated')

        const now = T0 + 2 * DAY
        const removed = await store.purgeExpired(now)
        // 3 sessions + their 3 tokens + 1 counter, at least (stores may also drop old consumed tokens).
        expect(removed).toBeGreaterThanOrEqual(7)

        expect(await store.getSession(live.session.id)).not.toBeNull()
        expect(await store.findToken(step.successorHash)).not.toBeNull()
        for (const gone of [expired, revoked, idle]) {
          expect(await store.getSession(gone.session.id)).toBeNull()
          expect(await store.findToken(gone.tokenHash)).toBeNull()
          expect((await rotateAt(gone.tokenHash, now)).result).toEqual({ kind: 'invalid', reason: 'unknown' })
        }
        // The live counter kept its count; the ended one starts afresh.
        expect(await store.hitCounters(['login:kept', 'login:gone'], now, DAY)).toEqual([
          { count: 2, resetAt: now + DAY },
          { count: 1, resetAt: now + DAY },
        ])
        expect((await rotateAt(step.successorHash, now)).result.kind).toBe('rotated')
        expect(await store.findUserById(user.id)).not.toBeNull()
      })

      it('drops consumed tokens past their idle expiry while the session lives on', async () => {
        const user = await addUser()
        const { session, tokenHash } = await startSession(user.id)
        const step = await rotateAt(tokenHash, T0 + IDLE - 1)
        expect(step.result.kind).toBe('rotated')
        await store.purgeExpired(T0 + IDLE + 1)
        expect(await store.getSession(session.id)).not.toBeNull()
        expect(await store.findToken(step.successorHash)).not.toBeNull()
        // Once past its idle expiry an old token is invalid either way; it never revives.
        expect((await rotateAt(tokenHash, T0 + IDLE + 2)).result.kind).toBe('invalid')
        expect((await rotateAt(step.successorHash, T0 + IDLE + 3)).result.kind).toBe('rotated')
      })

      it('removes nothing when everything is live', async () => {
        const user = await addUser()
        await startSession(user.id)
        await hit('k', T0)
        await store.rememberOnce('jti:live', T0 + MINUTE, T0)
        expect(await store.purgeExpired(T0 + 1)).toBe(0)
      })
    })

    describe('counters', () => {
      it('counts hits inside a fixed window', async () => {
        expect(await hit('ip:1', T0)).toEqual({ count: 1, resetAt: T0 + 60_000 })
        expect(await hit('ip:1', T0 + 10)).toEqual({ count: 2, resetAt: T0 + 60_000 })
        expect(await hit('ip:1', T0 + 59_999)).toEqual({ count: 3, resetAt: T0 + 60_000 })
        expect(await hit('ip:2', T0 + 10)).toEqual({ count: 1, resetAt: T0 + 60_010 })
      })

      it('starts a new window once the old one has ended', async () => {
        await hit('acct:x', T0)
        await hit('acct:x', T0 + 1)
        expect(await hit('acct:x', T0 + 60_000)).toEqual({ count: 1, resetAt: T0 + 120_000 })
      })

      it("hits several counters in one step, answering in the keys' order, each with its own window", async () => {
        expect(await store.hitCounters([], T0, 60_000)).toEqual([])
        await hit('a', T0)
        await hit('a', T0)
        await hit('b', T0 - 60_000)
        expect(await store.hitCounters(['b', 'a', 'c'], T0, 60_000)).toEqual([
          // b's window ended exactly now, a's runs on, c is new.
          { count: 1, resetAt: T0 + 60_000 },
          { count: 3, resetAt: T0 + 60_000 },
          { count: 1, resetAt: T0 + 60_000 },
        ])
        expect(await store.hitCounters(['c', 'b', 'a'], T0 + 60_000, 1000)).toEqual([
          { count: 1, resetAt: T0 + 61_000 },
          { count: 1, resetAt: T0 + 61_000 },
          { count: 1, resetAt: T0 + 61_000 },
        ])
      })

      it('settles in one step: reset removes a counter, release takes back one hit', async () => {
        for (let i = 0; i < 2; i++) await store.hitCounters(['acct:z', 'addr:z'], T0, 60_000)
        await store.settleCounters({ reset: ['acct:z'], release: ['addr:z'] })
        // Inside the old window: the reset counter starts a new one, the released one goes on.
        expect(await store.hitCounters(['acct:z', 'addr:z'], T0 + 5, 60_000)).toEqual([
          { count: 1, resetAt: T0 + 60_005 },
          { count: 2, resetAt: T0 + 60_000 },
        ])
        await store.settleCounters({ reset: [], release: ['acct:z', 'addr:z'] })
        expect(await store.hitCounters(['acct:z', 'addr:z'], T0 + 6, 60_000)).toEqual([
          { count: 1, resetAt: T0 + 60_005 },
          { count: 2, resetAt: T0 + 60_000 },
        ])
        await store.settleCounters({ reset: [], release: [] })
      })

      it('releases never below zero, and leaves unknown counters alone', async () => {
        for (let i = 0; i < 3; i++) await hit('acct:r', T0)
        await store.settleCounters({ reset: [], release: ['acct:r'] })
        await Promise.all(
          Array.from({ length: 4 }, () => store.settleCounters({ reset: [], release: ['acct:r'] })),
        )
        // Back at zero, not below: the next hit is the window's first again.
        expect(await hit('acct:r', T0 + 2)).toEqual({ count: 1, resetAt: T0 + 60_000 })
        await store.settleCounters({ reset: ['never-a'], release: ['never-b'] })
        expect(await store.hitCounters(['never-a', 'never-b'], T0 + 5, 60_000)).toEqual([
          { count: 1, resetAt: T0 + 60_005 },
          { count: 1, resetAt: T0 + 60_005 },
        ])
      })

      it('counts concurrent hits of the same keys exactly, whatever their order, each step whole', async () => {
        const states = await Promise.all(
          Array.from({ length: 20 }, async (_, i) => {
            const [p, q] = i % 2 ? ['p', 'q'] : ['q', 'p']
            const [first, second] = await store.hitCounters([p!, q!], T0, 60_000)
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
            await store.hitCounters(keys, T0, 60_000)
            if (i % 2) await store.settleCounters({ reset: ['m1', `other:${i}`], release: ['m2'] })
          }).map((step) => step.catch((err: unknown) => errors.push(err))),
        )
        expect(errors).toEqual([])
        const [m1, m2] = await store.hitCounters(['m1', 'm2'], T0 + 1, 60_000)
        expect(m1!.count).toBeGreaterThanOrEqual(1)
        expect(m1!.count).toBeLessThanOrEqual(11)
        // 20 hits, 10 taken back, this one.
        expect(m2).toEqual({ count: 11, resetAt: T0 + 60_000 })
      })
    })
  })
}
