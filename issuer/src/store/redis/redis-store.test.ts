import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import type { AuthorizationCodeRecord } from '../../core/authorization/authorization-store.ts'
import { firstPartyPublicClient } from '../../core/clients/client-record.ts'
import type { NewSession } from '../../core/sessions/session-record.ts'
import type { Store } from '../../core/store.ts'
import { runStoreConformance } from '../../testing/store-conformance.ts'
import { createRedisStore } from './redis-store.ts'

// Not skipped when the server is missing: a store that cannot be reached must fail its tests.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
// No retries for the admin client: with the server unreachable every test fails at once, instead
// of each waiting out the store's reconnect attempts.
const admin = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true })
admin.on('error', () => {})
afterAll(() => admin.disconnect())

async function reachable(): Promise<void> {
  if (admin.status === 'wait') await admin.connect()
  await admin.ping()
}

const uniquePrefix = () => `tokensmith-test:${randomBytes(6).toString('hex')}:`

async function dropPrefix(prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
    if (keys.length > 0) await admin.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

runStoreConformance(
  'redis',
  async () => {
    await reachable()
    const prefix = uniquePrefix()
    const store = createRedisStore({ url, prefix })
    return {
      store,
      openAnother: () => createRedisStore({ url, prefix }),
      // Keys have no foreign keys: the user's sessions stay behind.
      deleteUser: async (id) => {
        const username = await admin.hget(`${prefix}user:${id}`, 'username')
        await admin.del(`${prefix}user:${id}`, `${prefix}username:${username}`)
        await admin.srem(`${prefix}users`, id)
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
  const prefix = uniquePrefix()
  const store = createRedisStore({ url, prefix })
  try {
    await use(store, prefix)
  } finally {
    await store.close()
    await dropPrefix(prefix)
  }
}

const NOW = 1_700_000_000_000
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
  it("reads a session from before scopes and client types as a public client's, with no scope", async () => {
    await reachable()
    const prefix = uniquePrefix()
    const store = createRedisStore({ url, prefix })
    try {
      const now = 1_700_000_000_000
      await store.createUser({ id: 'u', username: 'old', passwordHash: 'h', roles: [], createdAt: now })
      await store.createSession({
        id: 's',
        userId: 'u',
        clientId: 'default',
        createdAt: now,
        absoluteExpiresAt: now + 3_600_000,
        clientIp: null,
        userAgent: null,
        scope: ['gone'],
        publicClient: false,
        tokenHash: 't',
        idleExpiresAt: now + 600_000,
      })
      // As an issuer before these fields wrote it.
      await admin.hdel(`${prefix}session:s`, 'scope', 'publicClient')
      expect(await store.getSession('s')).toMatchObject({ scope: [], publicClient: true })
      const rotate = (clientId: string | null) =>
        store.rotate({
          tokenHash: 't',
          now: now + 10,
          clientId,
          graceMs: 0,
          successor: { hash: 'n', idleExpiresAt: now + 600_010, sealed: 'sealed' },
        })
      expect(await rotate('other')).toEqual({ kind: 'invalid', reason: 'client_mismatch' })
      expect(await rotate(null)).toMatchObject({ kind: 'rotated', session: { publicClient: true } })
    } finally {
      await store.close()
      await dropPrefix(prefix)
    }
  })

  it('reads a client hash from before redirect URIs as one with none', async () => {
    await reachable()
    const prefix = uniquePrefix()
    const store = createRedisStore({ url, prefix })
    try {
      const client = { ...firstPartyPublicClient('web', 1), redirectUris: ['https://app.example/cb'] }
      await store.createClient(client)
      // As an issuer before these fields wrote it.
      await admin.hdel(`${prefix}client:web`, 'redirectUris', 'postLogoutRedirectUris')
      expect(await store.getClient('web')).toEqual({
        ...client,
        redirectUris: [],
        postLogoutRedirectUris: [],
      })
    } finally {
      await store.close()
      await dropPrefix(prefix)
    }
  })

  it('reads a user, client, code and session written before profiles, PKCE policies and requested claims with their defaults', () =>
    withStore(async (store, prefix) => {
      // Each written by this store with every new field set, then stripped to what an issuer
      // before them wrote.
      const user = await store.createUser({
        id: 'u',
        username: 'old',
        passwordHash: 'h',
        roles: ['r'],
        createdAt: NOW,
        email: 'old@example.com',
        emailVerified: true,
        name: 'Old',
        givenName: 'O',
        familyName: 'Ld',
      })
      await admin.hdel(`${prefix}user:u`, 'email', 'emailVerified', 'name', 'givenName', 'familyName')
      const noProfile = { email: null, emailVerified: false, name: null, givenName: null, familyName: null }
      expect(await store.findUserById('u')).toEqual({ ...user, ...noProfile })
      expect(await store.findUserByUsername('old')).toEqual({ ...user, ...noProfile })

      const client = {
        ...firstPartyPublicClient('web', 1),
        pkce: 'required' as const,
        webOrigins: ['https://a.example'],
      }
      await store.createClient(client)
      await admin.hdel(`${prefix}client:web`, 'pkce', 'webOrigins')
      expect(await store.getClient('web')).toEqual({ ...client, pkce: 'openid-optional', webOrigins: [] })

      const code: AuthorizationCodeRecord = {
        hash: 'code',
        clientId: 'web',
        userId: 'u',
        redirectUri: 'https://app.example/cb',
        codeChallenge: 'challenge',
        scope: ['openid'],
        claims: { idToken: ['email'], userinfo: [] },
        nonce: null,
        loginSessionId: 'l',
        authTime: NOW,
        createdAt: NOW,
        expiresAt: NOW + 60_000,
      }
      await store.createAuthorizationCode(code)
      await admin.hdel(`${prefix}auth-code:code`, 'claims')
      expect(await store.findAuthorizationCode('code')).toEqual({ ...code, claims: null })

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

  it('writes no claims field for a session that asked for none, as a rotation then answers it', () =>
    withStore(async (store, prefix) => {
      await store.createUser({ id: 'u', username: 'u', passwordHash: 'h', roles: [], createdAt: NOW })
      await store.createSession(newSession('none', 't1'))
      await store.createSession(newSession('empty', 't2', { claims: [] }))
      await store.createSession(newSession('some', 't3', { claims: ['email', 'name'] }))
      expect(await admin.hexists(`${prefix}session:none`, 'claims')).toBe(0)
      expect(await admin.hexists(`${prefix}session:empty`, 'claims')).toBe(0)
      expect(await admin.hget(`${prefix}session:some`, 'claims')).toBe('email name')
    }))

  it('gives keys a TTL so Redis drops what the purge misses', async () => {
    await reachable()
    const prefix = uniquePrefix()
    const store = createRedisStore({ url, prefix })
    try {
      const now = 1_700_000_000_000
      await store.createUser({ id: 'u', username: 'ttl', passwordHash: 'h', roles: [], createdAt: now })
      await store.createSession({
        id: 's',
        userId: 'u',
        clientId: 'c',
        createdAt: now,
        absoluteExpiresAt: now + 3_600_000,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash: 't',
        idleExpiresAt: now + 600_000,
      })
      await store.hitCounters(['k'], now, 60_000)
      await store.createLoginSession({
        id: 'l',
        secretHash: 'cookie',
        userId: 'u',
        authTime: now,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + 600_000,
        absoluteExpiresAt: now + 3_600_000,
        endedAt: null,
      })
      await store.createAuthorizationCode({
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
        createdAt: now,
        expiresAt: now + 60_000,
      })
      const redeemed = await store.redeemAuthorizationCode('code', now + 1, {
        id: 's2',
        userId: 'u',
        clientId: 'c',
        createdAt: now + 1,
        absoluteExpiresAt: now + 3_600_000,
        clientIp: null,
        userAgent: null,
        scope: [],
        publicClient: true,
        tokenHash: 't2',
        idleExpiresAt: now + 600_000,
      })
      expect(redeemed.kind).toBe('redeemed')
      for (const key of [
        'session:s',
        'token:t',
        'session-tokens:s',
        'user-sessions:u',
        'counter:k',
        'login-session:l',
        'login-secret:cookie',
        'login-session-sessions:l',
        'auth-code:code',
        'session:s2',
        'token:t2',
      ]) {
        expect(await admin.pttl(`${prefix}${key}`)).toBeGreaterThan(0)
      }
      // A used code is kept past its expiry for the replay memory: a day, plus the retention.
      expect(await admin.pttl(`${prefix}auth-code:code`)).toBeGreaterThan(86_400_000)
      // Users are permanent; so is consent, until revoked.
      expect(await admin.pttl(`${prefix}user:u`)).toBe(-1)
      await store.saveConsent({ userId: 'u', clientId: 'c', scope: [], grantedAt: now })
      expect(await admin.pttl(`${prefix}consents:u`)).toBe(-1)
    } finally {
      await store.close()
      await dropPrefix(prefix)
    }
  })
})
