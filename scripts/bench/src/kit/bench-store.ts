// The store `pnpm bench issuer --store` runs on: a SQLite file in the bench's directory, a fresh
// PostgreSQL schema or a fresh Redis key prefix (other users of the same server are left alone),
// with what the bench needs beside the issuer: the URL through a proxy (to count round trips),
// Redis's per-command call counters, bulk seeding of stored sessions, and cleanup.
import { randomBytes, randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { openStore } from '@tokensmith/issuer/admin'
import { Redis } from 'ioredis'
import pg from 'pg'
import { parseCommandStats } from './parse-command-stats.ts'
import { seedLiveSessions } from './seed-live-sessions.ts'

export type StoreKind = 'sqlite' | 'postgres' | 'redis'
export const STORE_KINDS: readonly StoreKind[] = ['sqlite', 'postgres', 'redis']

export interface BenchStore {
  kind: StoreKind
  databaseUrl: string
  /** The server's address, null for the embedded store. */
  server: { host: string; port: number } | null
  /** DATABASE_URL for the same store reached through 127.0.0.1:`port` (a proxy). */
  databaseUrlVia(port: number): string
  /** Calls of every command the server has run so far (Redis INFO commandstats); null elsewhere. */
  commandCalls(): Promise<Record<string, number> | null>
  /** Stores `count` more live sessions (one refresh token each) of the user `userId`. */
  seedSessions(userId: string, count: number, now: number): Promise<void>
  cleanup(): Promise<void>
}

const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const DAY_MS = 86_400_000

function withPort(url: string, port: number): string {
  const u = new URL(url)
  u.hostname = '127.0.0.1'
  u.port = String(port)
  return u.toString()
}

function serverOf(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url)
  return { host: u.hostname, port: u.port === '' ? defaultPort : Number(u.port) }
}

export function benchStore(kind: StoreKind, dir: string): BenchStore {
  const suffix = randomBytes(5).toString('hex')
  switch (kind) {
    case 'sqlite': {
      const databaseUrl = `sqlite:${join(dir, 'issuer.db')}`
      return {
        kind,
        databaseUrl,
        server: null,
        databaseUrlVia: () => databaseUrl,
        commandCalls: async () => null,
        // One SQL transaction straight into the file (the bench feed's fixture): the store port
        // writes one session per transaction, which takes minutes for a million.
        seedSessions: async (userId, count, now) => {
          seedLiveSessions({ file: join(dir, 'issuer.db'), userId, count, take: 0, now })
        },
        cleanup: async () => {},
      }
    }
    case 'postgres': {
      const schema = `tokensmith_bench_${suffix}`
      const withSchema = (url: string) => `${url}${url.includes('?') ? '&' : '?'}schema=${schema}`
      const admin = () => new pg.Client({ connectionString: POSTGRES_URL })
      return {
        kind,
        databaseUrl: withSchema(POSTGRES_URL),
        server: serverOf(POSTGRES_URL, 5432),
        databaseUrlVia: (port) => withSchema(withPort(POSTGRES_URL, port)),
        commandCalls: async () => null,
        async seedSessions(userId, count, now) {
          // Set-based inserts in batches: a million rows in seconds, not a million round trips.
          const client = admin()
          await client.connect()
          const s = `"${schema}"`
          try {
            const batch = 200_000
            for (let from = 0; from < count; from += batch) {
              const to = Math.min(count, from + batch) - 1
              const run = `seed-${suffix}-${from}`
              await client.query(
                `INSERT INTO ${s}.sessions (id, user_id, client_id, created_at, last_used_at, absolute_expires_at)
                 SELECT $1 || '-' || g, $2, 'default', $3, $3, $4 FROM generate_series(0, $5) g`,
                [run, userId, now, now + 30 * DAY_MS, to - from],
              )
              await client.query(
                `INSERT INTO ${s}.refresh_tokens (hash, session_id, generation, created_at, idle_expires_at)
                 SELECT md5($1 || g) || md5($1 || '/' || g), $1 || '-' || g, 1, $2, $3 FROM generate_series(0, $4) g`,
                [run, now, now + 7 * DAY_MS, to - from],
              )
            }
            await client.query(`ANALYZE ${s}.sessions`)
            await client.query(`ANALYZE ${s}.refresh_tokens`)
          } finally {
            await client.end()
          }
        },
        async cleanup() {
          const client = admin()
          await client.connect()
          try {
            await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
          } finally {
            await client.end()
          }
        },
      }
    }
    case 'redis': {
      const prefix = `tokensmith-bench-${suffix}:`
      const withPrefix = (url: string) => `${url}${url.includes('?') ? '&' : '?'}prefix=${prefix}`
      return {
        kind,
        databaseUrl: withPrefix(REDIS_URL),
        server: serverOf(REDIS_URL, 6379),
        databaseUrlVia: (port) => withPrefix(withPort(REDIS_URL, port)),
        async commandCalls() {
          const redis = new Redis(REDIS_URL)
          try {
            return parseCommandStats(await redis.info('commandstats'))
          } finally {
            redis.disconnect()
          }
        },
        // The issuer's own script per session; auto-pipelined, so thousands per write.
        seedSessions: (userId, count, now) => seedThroughPort(withPrefix(REDIS_URL), userId, count, now, 512),
        async cleanup() {
          // SCAN and UNLINK in batches: the server is shared, so never one long blocking call.
          const redis = new Redis(REDIS_URL)
          try {
            let cursor = '0'
            do {
              const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000)
              cursor = next
              if (keys.length > 0) await redis.unlink(...keys)
            } while (cursor !== '0')
          } finally {
            redis.disconnect()
          }
        },
      }
    }
  }
}

/** Sessions created through the store port, `inFlight` at a time. */
async function seedThroughPort(
  databaseUrl: string,
  userId: string,
  count: number,
  now: number,
  inFlight: number,
): Promise<void> {
  const store = await openStore(databaseUrl)
  try {
    let next = 0
    const lane = async () => {
      while (next < count) {
        next++
        await store.createSession({
          id: randomUUID(),
          userId,
          clientId: 'default',
          createdAt: now,
          absoluteExpiresAt: now + 30 * DAY_MS,
          clientIp: null,
          userAgent: null,
          scope: [],
          publicClient: true,
          tokenHash: randomBytes(32).toString('hex'),
          idleExpiresAt: now + 7 * DAY_MS,
        })
      }
    }
    await Promise.all(Array.from({ length: inFlight }, lane))
  } finally {
    await store.close()
  }
}
