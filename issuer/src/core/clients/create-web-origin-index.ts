import type { Clock } from '../clock.ts'
import { listAll } from '../records/list-all.ts'
import type { Records } from '../records/records.ts'
import { CLIENTS } from './client-collection.ts'
import { webOriginsOf } from './web-origin.ts'

export interface WebOriginIndex {
  /** Whether any enabled client registered `origin` (as of at most `maxAgeMs` ago). */
  has(origin: string): Promise<boolean>
}

/**
 * The web origins of every enabled client, for CORS preflights: a preflight carries no client
 * credentials, so it can only be answered for the origins the registry knows at all; the request
 * that follows is answered only for its own client's origins. Read from the store at most once per
 * `maxAgeMs`, and once for any number of preflights waiting on the same read.
 */
export function createWebOriginIndex(records: Records, clock: Clock, maxAgeMs: number): WebOriginIndex {
  let origins: Set<string> | null = null
  let until = 0
  let reading: Promise<Set<string>> | null = null
  const read = async () => {
    const clients = await listAll(records, CLIENTS)
    return new Set(clients.filter((c) => !c.disabled).flatMap((c) => webOriginsOf(c)))
  }
  return {
    async has(origin) {
      if (origins === null || clock() >= until) {
        reading ??= read().finally(() => {
          reading = null
        })
        origins = await reading
        until = clock() + maxAgeMs
      }
      return origins.has(origin)
    },
  }
}
