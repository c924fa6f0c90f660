// Numbered migrations of the Redis store's data, each applied once: `P schema-version` holds the
// last one applied, and a lock (SET NX PX) lets one instance apply them while the others starting
// with it wait. Each migration must converge when run again: an instance that dies halfway (its
// lock then expires) leaves the next one to run it again from the start.
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Redis } from 'ioredis'
import type { RedisMigration, RedisMigrationContext } from './redis-migration.ts'
import type { RedisRecords } from './redis-records.ts'
import { RECORDS_LAYOUT } from './redis-records-layout-migration.ts'

/** In version order. */
const MIGRATIONS: readonly RedisMigration[] = [RECORDS_LAYOUT]

const LOCK_MS = 30_000
const WAIT_MS = 100
/** Deletes the lock only while it is still this instance's. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/** Applies the pending `migrations` (tests pass their own). */
export async function migrateRedis(
  redis: Redis,
  P: string,
  records: RedisRecords,
  migrations: readonly RedisMigration[] = MIGRATIONS,
): Promise<void> {
  const versionKey = `${P}schema-version`
  const lockKey = `${P}schema-lock`
  const version = async () => Number((await redis.get(versionKey)) ?? 0)
  const owner = randomUUID()
  const ctx: RedisMigrationContext = {
    redis,
    P,
    records,
    async *scan(pattern) {
      // The prefix matched literally, whatever glob characters it holds.
      const match = P.replace(/[*?[\]\\]/g, '\\$&') + pattern
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 500)
        cursor = next
        if (keys.length > 0) yield keys
        // Still applying: the lock must not expire under a long migration.
        await redis.pexpire(lockKey, LOCK_MS)
      } while (cursor !== '0')
    },
  }
  const latest = migrations.at(-1)?.version ?? 0
  while ((await version()) < latest) {
    if ((await redis.set(lockKey, owner, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      await sleep(WAIT_MS)
      continue
    }
    try {
      // Read under the lock: another instance may have applied them just before.
      const applied = await version()
      for (const m of migrations.filter((m) => m.version > applied)) {
        await m.apply(ctx)
        await redis.set(versionKey, String(m.version))
      }
    } finally {
      await redis.eval(RELEASE, 1, lockKey, owner)
    }
  }
}
