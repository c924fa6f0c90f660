// Redis for tests: a key prefix of its own per test, and an admin connection that writes keys by
// hand (as an older release did) and drops a prefix's keys afterwards.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll } from 'vitest'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface RedisTestKeys {
  admin: Redis
  /** Fails when the server is missing: a store that cannot be reached must fail its tests. */
  reachable(): Promise<void>
  freshPrefix(): string
  dropPrefix(prefix: string): Promise<void>
}

/** Call at a test file's top level: the admin connection closes after its tests. */
export function redisTestKeys(): RedisTestKeys {
  // No retries: with the server unreachable every test fails at once, instead of each waiting out
  // the store's reconnect attempts.
  const admin = new Redis(REDIS_URL, {
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    lazyConnect: true,
  })
  admin.on('error', () => {})
  afterAll(() => admin.disconnect())
  return {
    admin,
    async reachable() {
      if (admin.status === 'wait') await admin.connect()
      await admin.ping()
    },
    freshPrefix: () => `tokensmith-test:${randomBytes(6).toString('hex')}:`,
    async dropPrefix(prefix) {
      let cursor = '0'
      do {
        const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
        if (keys.length > 0) await admin.del(...keys)
        cursor = next
      } while (cursor !== '0')
    },
  }
}
