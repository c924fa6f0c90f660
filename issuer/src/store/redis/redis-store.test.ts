import { describe, expect, it } from 'vitest'
import { AUTHORIZATION_CODES } from '../../core/authorization/authorization-code-collection.ts'
import { CONSENTS } from '../../core/authorization/consent-collection.ts'
import { LOGIN_SESSIONS } from '../../core/authorization/login-session-collection.ts'
import { markMfaEnrolled } from '../../core/mfa/mark-mfa-enrolled.ts'
import type { NewSession } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import { USERS, type UserRecord } from '../../core/users/user-collection.ts'
import { redisTestKeys, REDIS_URL as url } from '../../testing/redis-test-keys.ts'
import { runStoreConformance } from '../../testing/store-conformance.ts'
import { createRedisStore } from './redis-store.ts'

const { admin, reachable, freshPrefix, dropPrefix } = redisTestKeys()

runStoreConformance(
  'redis',
  async () => {
    await reachable()
    const prefix = freshPrefix()
    const store = createRedisStore({ url, prefix })
    return {
      store,
      openAnother: () => createRedisStore({ url, prefix }),
      // Keys have no foreign keys: the user's sessions stay behind.
      deleteUser: async (id) => {
        await store.records.delete(USERS, { id })
      },
      cleanup: async () => {
        await store.close()
        await dropPrefix(prefix)
      },
    }
  },
  { sharedByInstances: true },
)

/** A store over a prefix of its own, whose keys are dropped once `use` is done. */
async function withStore(use: (store: Store, prefix: string) => Promise<void>): Promise<void> {
  await reachable()
  const prefix = freshPrefix()
  const store = createRedisStore({ url, prefix })
  try {
    await use(store, prefix)
  } finally {
    await store.close()
    await dropPrefix(prefix)
  }
}

const NOW = 1_700_000_000_000
const user = (id: string, username: string, now = NOW): UserRecord => ({
  id,
  username,
  passwordHash: 'h',
  roles: [],
  disabled: false,
  mfaEnrolled: false,
  email: null,
  emailVerified: false,
  name: null,
  givenName: null,
  familyName: null,
  createdAt: now,
  updatedAt: now,
})
/** A session of user 'u' with its first token. */
const newSession = (id: string, tokenHash: string, extra: Partial<NewSession> = {}): NewSession => ({
  id,
  userId: 'u',
  clientId: 'c',
  createdAt: NOW,
  absoluteExpiresAt: NOW + 3_600_000,
  clientIp: null,
  userAgent: null,
  scope: [],
  publicClient: true,
  tokenHash,
  idleExpiresAt: NOW + 600_000,
  ...extra,
})

describe('redis store', () => {
  it("reads a session from before scopes and client types as a public client's, with no scope", () =>
    withStore(async (store, prefix) => {
      await store.records.insert(USERS, user('u', 'old'))
      await store.createSession(
        newSession('s', 't', { clientId: 'default', scope: ['gone'], publicClient: false }),
      )
      // As an issuer before these fields wrote it.
      await admin.hdel(`${prefix}session:s`, 'scope', 'publicClient')
      expect(await store.getSession('s')).toMatchObject({ scope: [], publicClient: true })
      const rotate = (clientId: string | null) =>
        store.rotate({
          tokenHash: 't',
          now: NOW + 10,
          clientId,
          graceMs: 0,
          successor: { hash: 'n', idleExpiresAt: NOW + 600_010, sealed: 'sealed' },
        })
      expect(await rotate('other')).toEqual({ kind: 'invalid', reason: 'client_mismatch' })
      expect(await rotate(null)).toMatchObject({ kind: 'rotated', session: { publicClient: true } })
    }))

  it('reads a session written before requested claims as one with none', () =>
    withStore(async (store, prefix) => {
      await store.records.insert(USERS, user('u', 'old'))
      expect((await store.createSession(newSession('s', 't', { claims: ['email'] }))).claims).toEqual([
        'email',
      ])
      await admin.hdel(`${prefix}session:s`, 'claims')
      expect(await store.getSession('s')).toMatchObject({ id: 's', claims: [] })
      expect(await store.listSessions('u', NOW + 1)).toMatchObject([{ id: 's', claims: [] }])
      expect(
        await store.rotate({
          tokenHash: 't',
          now: NOW + 10,
          clientId: null,
          graceMs: 0,
          successor: { hash: 'n', idleExpiresAt: NOW + 600_010, sealed: 'sealed' },
        }),
      ).toMatchObject({ kind: 'rotated', session: { id: 's', claims: [] } })
    }))

  it("reads a session written before its login's context was kept as a password login with no acr or auth time", () =>
    withStore(async (store, prefix) => {
      await store.records.insert(USERS, user('u', 'old'))
      const context = { amr: ['pwd'], acr: 'urn:tokensmith:acr:password', authTime: NOW - 1000 }
      expect(await store.createSession(newSession('s', 't', context))).toMatchObject(context)
      expect(await admin.hmget(`${prefix}session:s`, 'amr', 'acr', 'authTime')).toEqual([
        'pwd',
        'urn:tokensmith:acr:password',
        String(NOW - 1000),
      ])
      await admin.hdel(`${prefix}session:s`, 'amr', 'acr', 'authTime')
      const before = { id: 's', amr: [], acr: null, authTime: null }
      expect(await store.getSession('s')).toMatchObject(before)
      expect(await store.listSessions('u', NOW + 1)).toMatchObject([before])
      expect(
        await store.rotate({
          tokenHash: 't',
          now: NOW + 10,
          clientId: null,
          graceMs: 0,
          successor: { hash: 'n', idleExpiresAt: NOW + 600_010, sealed: 'sealed' },
        }),
      ).toMatchObject({ kind: 'rotated', session: before })
    }))

  it('flags a user stored before the MFA flag existed as enrolled (so a password login looks for the factor)', () =>
    withStore(async (store, prefix) => {
      await store.records.insert(USERS, user('u', 'old'))
      await admin.hdel(`${prefix}user:u`, 'mfaEnrolled')
      expect((await store.records.get(USERS, { id: 'u' }))?.mfaEnrolled).toBe(false)
      await markMfaEnrolled(store.records, 'u')
      expect((await store.records.get(USERS, { id: 'u' }))?.mfaEnrolled).toBe(true)
    }))

  it('writes no claims field for a session that asked for none, as a rotation then answers it', () =>
    withStore(async (store, prefix) => {
      await store.records.insert(USERS, user('u', 'u'))
      await store.createSession(newSession('none', 't1'))
      await store.createSession(newSession('empty', 't2', { claims: [] }))
      await store.createSession(newSession('some', 't3', { claims: ['email', 'name'] }))
      expect(await admin.hexists(`${prefix}session:none`, 'claims')).toBe(0)
      expect(await admin.hexists(`${prefix}session:empty`, 'claims')).toBe(0)
      expect(await admin.hget(`${prefix}session:some`, 'claims')).toBe('email name')
    }))

  it('gives keys a TTL so Redis drops what the purge misses', () =>
    withStore(async (store, prefix) => {
      // Near Redis's own clock, which judges the records' TTLs.
      const now = Date.now()
      await store.records.insert(USERS, user('u', 'ttl', now))
      await store.createSession(
        newSession('s', 't', {
          createdAt: now,
          absoluteExpiresAt: now + 3_600_000,
          idleExpiresAt: now + 600_000,
        }),
      )
      await store.hitCounters(['k'], now, 60_000)
      await store.records.insert(LOGIN_SESSIONS, {
        id: 'l',
        secretHash: 'cookie',
        userId: 'u',
        authTime: now,
        amr: ['pwd'],
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + 600_000,
        absoluteExpiresAt: now + 3_600_000,
        endedAt: null,
      })
      await store.records.insert(AUTHORIZATION_CODES, {
        hash: 'code',
        clientId: 'c',
        userId: 'u',
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'challenge',
        scope: [],
        claims: null,
        nonce: null,
        loginSessionId: 'l',
        authTime: now,
        amr: ['pwd'],
        acrValues: [],
        createdAt: now,
        expiresAt: now + 60_000,
        consumedAt: null,
        sessionId: null,
      })
      const redeemed = await store.redeemOnce(
        AUTHORIZATION_CODES,
        { hash: 'code' },
        now + 1,
        newSession('s2', 't2', {
          createdAt: now + 1,
          absoluteExpiresAt: now + 3_600_000,
          idleExpiresAt: now + 600_000,
        }),
      )
      expect(redeemed.kind).toBe('redeemed')
      for (const key of [
        'session:s',
        'token:t',
        'session-tokens:s',
        'user-sessions:u',
        'counter:k',
        'login-session:l',
        'login-session#unique:secretHash:cookie',
        'login-session-sessions:l',
        'auth-code:code',
        'session:s2',
        'token:t2',
      ]) {
        expect(await admin.pttl(`${prefix}${key}`), key).toBeGreaterThan(0)
      }
      // A used code is kept past its expiry for the replay memory: a day, plus the retention.
      expect(await admin.pttl(`${prefix}auth-code:code`)).toBeGreaterThan(86_400_000)
      // Users are permanent; so is consent, until revoked.
      expect(await admin.pttl(`${prefix}user:u`)).toBe(-1)
      expect(await admin.pttl(`${prefix}user#unique:username:ttl`)).toBe(-1)
      await store.records.insert(CONSENTS, { userId: 'u', clientId: 'c', scope: [], grantedAt: now })
      expect(await admin.pttl(`${prefix}consent:u:c`)).toBe(-1)
    }))
})
