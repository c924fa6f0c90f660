import type { Redis } from 'ioredis'
import type { RedisRecords } from './redis-records.ts'

/** What a numbered data migration of the Redis store is given (redis-migrate.ts runs them). */
export interface RedisMigrationContext {
  redis: Redis
  P: string
  records: RedisRecords
  /** The keys under P matching `pattern` (a glob after the prefix), a batch at a time. */
  scan(pattern: string): AsyncGenerator<string[]>
}

export interface RedisMigration {
  version: number
  name: string
  apply(ctx: RedisMigrationContext): Promise<void>
}
