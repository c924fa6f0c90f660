import type { Clock } from '../clock.ts'
import type { Records } from '../records/records.ts'
import { CLIENTS } from './client-collection.ts'
import type { ClientRecord } from './client-record.ts'

export interface ClientCache {
  /** The client as the store had it at most `maxAgeMs` ago (null when there was none). */
  get(id: string): Promise<ClientRecord | null>
}

/** Clients read per refresh would cost a round trip on the hot path; the registry changes rarely. */
const MAX_ENTRIES = 10_000

/**
 * A short-lived read cache of the registry, for the refresh path only (client authentication
 * always reads the store): a client disabled or changed with the CLI is seen within `maxAgeMs`.
 */
export function createClientCache(records: Records, clock: Clock, maxAgeMs: number): ClientCache {
  const entries = new Map<string, { client: ClientRecord | null; until: number }>()
  return {
    async get(id) {
      const now = clock()
      const hit = entries.get(id)
      if (hit !== undefined && now < hit.until) return hit.client
      const client = await records.get(CLIENTS, { id })
      if (entries.size >= MAX_ENTRIES) entries.clear()
      entries.set(id, { client, until: now + maxAgeMs })
      return client
    },
  }
}
