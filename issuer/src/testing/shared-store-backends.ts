// The stores several issuer instances may share: one SQLite file, PostgreSQL (its own schema),
// Redis (its own key prefix), each fresh per test run, for the multi-process tests.
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import pg from 'pg'

export interface SharedStoreBackend {
  name: string
  /** The DATABASE_URL every instance of one test uses; `dir` holds the SQLite file. */
  databaseUrl(dir: string): string
  /** Drops what the test left in the server store. */
  cleanup(): Promise<void>
}

const PG_URL = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** `label` names the schema and prefix, so concurrent test files never share one. */
export function sharedStoreBackends(label: string): SharedStoreBackend[] {
  const unique = `${label}_${randomBytes(5).toString('hex')}`
  const schema = `tokensmith_${unique}`
  const prefix = `tokensmith-${unique}:`
  return [
    {
      name: 'one SQLite file',
      databaseUrl: (dir) => `sqlite:${join(dir, 'issuer.db')}`,
      cleanup: async () => {},
    },
    {
      name: 'PostgreSQL',
      databaseUrl: () => `${PG_URL}?schema=${schema}`,
      async cleanup() {
        const client = new pg.Client({ connectionString: PG_URL })
        await client.connect()
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
        await client.end()
      },
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
