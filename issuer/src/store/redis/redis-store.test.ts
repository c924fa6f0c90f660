import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { firstPartyPublicClient } from '../../core/clients/client-record.ts'
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
