// How the Redis store runs its Lua scripts (redis-scripts.ts): by SHA, sent in full only to a
// Redis that has not seen them yet, with the key prefix as ARGV[1]; and what their replies mean.
import { createHash } from 'node:crypto'
import type { Redis } from 'ioredis'
import { StoreConflictError } from '../../core/store-error.ts'

export interface Script {
  lua: string
  sha: string
}

export const script = (lua: string): Script => ({ lua, sha: createHash('sha1').update(lua).digest('hex') })

export type RunScript = (s: Script, keys: string[], args: (string | number)[]) => Promise<unknown>

/** Runs scripts on `redis` under the prefix `P`; a `CONFLICT <field>` error reply is a StoreConflictError. */
export function scriptRunner(redis: Redis, P: string): RunScript {
  return async (s, keys, args) => {
    try {
      try {
        return await redis.evalsha(s.sha, keys.length, ...keys, P, ...args)
      } catch (err) {
        // A Redis that lost its scripts (SCRIPT FLUSH, failover) gets this one again.
        if (!(err instanceof Error && err.message.startsWith('NOSCRIPT'))) throw err
        return await redis.eval(s.lua, keys.length, ...keys, P, ...args)
      }
    } catch (err) {
      if (err instanceof Error && err.message.startsWith('CONFLICT ')) {
        throw new StoreConflictError(err.message.slice('CONFLICT '.length), { cause: err })
      }
      throw err
    }
  }
}

/** A flat [field, value, ...] reply (HGETALL inside a script) as an object. */
export function pairs(flat: unknown): Record<string, string> {
  if (!Array.isArray(flat)) throw new Error('unexpected hash reply from Redis')
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1])
  return out
}

export const PURGE_BATCH = 500

/**
 * Runs a purge script, a batch of at most PURGE_BATCH entries each time, until one handles fewer;
 * answers the sum of what they removed. Batches keep each script short, so Redis never stalls
 * other clients for long. `batch` answers what it removed and, when that differs, how many it handled.
 */
export async function drain(batch: () => Promise<[removed: number, handled?: number]>): Promise<number> {
  let total = 0
  for (;;) {
    const [removed, handled = removed] = await batch()
    total += removed
    if (handled < PURGE_BATCH) return total
  }
}
