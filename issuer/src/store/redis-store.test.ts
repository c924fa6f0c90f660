import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { createRedisStore } from './redis-store.ts'
import { runStoreConformance } from './store-conformance.ts'

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

runStoreConformance('redis', async () => {
  await reachable()
  const prefix = uniquePrefix()
  const store = createRedisStore({ url, prefix })
  return {
    store,
    cleanup: async () => {
      await store.close()
      await dropPrefix(prefix)
    },
  }
})

describe('redis store', () => {
  it('keeps at most one successor when two clients race 25 refreshes each with one token', async () => {
    await reachable()
    const prefix = uniquePrefix()
    const a = createRedisStore({ url, prefix })
    const b = createRedisStore({ url, prefix })
    try {
      const now = 1_700_000_000_000
      await a.createUser({ id: 'u', username: 'racer', passwordHash: 'h', roles: [], createdAt: now })
      await a.createSession({
        id: 'fam',
        userId: 'u',
        clientId: 'c',
        createdAt: now,
        absoluteExpiresAt: now + 30 * 86_400_000,
        clientIp: null,
        userAgent: null,
        tokenHash: 'presented',
        idleExpiresAt: now + 86_400_000,
      })
      const attempt = (store: typeof a) => {
        const hash = randomBytes(32).toString('hex')
        return store
          .rotate({
            tokenHash: 'presented',
            now: now + 1000,
            graceMs: 10_000,
            successor: { hash, idleExpiresAt: now + 2 * 86_400_000, sealed: `sealed.${hash}` },
          })
          .then((result) => ({ result, hash }))
      }
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => attempt(i % 2 === 0 ? a : b)))
      const rotated = results.filter((r) => r.result.kind === 'rotated')
      expect(rotated).toHaveLength(1)
      const winner = rotated[0]!.hash
      for (const r of results) {
        if (r.result.kind !== 'rotated') {
          expect(r.result).toMatchObject({ kind: 'replayed', sealedSuccessor: `sealed.${winner}` })
        }
      }
      expect(await admin.smembers(`${prefix}session-tokens:fam`)).toEqual(
        expect.arrayContaining(['presented', winner]),
      )
      expect(await admin.scard(`${prefix}session-tokens:fam`)).toBe(2)
    } finally {
      await a.close()
      await b.close()
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
        tokenHash: 't',
        idleExpiresAt: now + 600_000,
      })
      await store.hitCounter('k', now, 60_000)
      for (const key of ['session:s', 'token:t', 'session-tokens:s', 'user-sessions:u', 'counter:k']) {
        expect(await admin.pttl(`${prefix}${key}`)).toBeGreaterThan(0)
      }
      // Users are permanent.
      expect(await admin.pttl(`${prefix}user:u`)).toBe(-1)
    } finally {
      await store.close()
      await dropPrefix(prefix)
    }
  })
})
