import type { Clock } from '../clock.ts'
import type { ClientRecord } from './client-record.ts'
import type { ClientStore } from './client-store.ts'

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
export function createClientCache(
  store: Pick<ClientStore, 'getClient'>,
  clock: Clock,
  maxAgeMs: number,
): ClientCache {
  const entries = new Map<string, { client: ClientRecord | null; until: number }>()
  return {
    async get(id) {
      const now = clock()
      const hit = entries.get(id)
      if (hit !== undefined && now < hit.until) return hit.client
      const client = await store.getClient(id)
      if (entries.size >= MAX_ENTRIES) entries.clear()
      entries.set(id, { client, until: now + maxAgeMs })
      return client
    },
  }
}
