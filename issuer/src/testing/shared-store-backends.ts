// The stores several issuer instances may share: one SQLite file, PostgreSQL (its own schema),
// Redis (its own key prefix), each fresh per test run, for the multi-process tests.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { scratchPostgresSchema } from './scratch-postgres-schema.ts'

export interface SharedStoreBackend {
  name: string
  /** The DATABASE_URL every instance of one test uses; `dir` holds the SQLite file. */
  databaseUrl(dir: string): string
  /** Drops what the test left in the server store. */
  cleanup(): Promise<void>
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** `label` names the Redis prefix; each call has a schema and prefix no other test file shares. */
export function sharedStoreBackends(label: string): SharedStoreBackend[] {
  const prefix = `tokensmith-${label}-${randomBytes(5).toString('hex')}:`
  const schema = scratchPostgresSchema()
  return [
    {
      name: 'one SQLite file',
      databaseUrl: (dir) => `sqlite:${join(dir, 'issuer.db')}`,
      cleanup: async () => {},
    },
    {
      name: 'PostgreSQL',
      databaseUrl: () => schema.url,
      cleanup: () => schema.drop(),
    },
    {
      name: 'Redis',
      databaseUrl: () => `${REDIS_URL}?prefix=${prefix}`,
      async cleanup() {
        const redis = new Redis(REDIS_URL)
        const keys = await redis.keys(`${prefix}*`)
        if (keys.length > 0) await redis.del(...keys)
        redis.disconnect()
      },
    },
  ]
}
