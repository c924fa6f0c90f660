import type { Records } from '../records/records.ts'
import { StoreConflictError } from '../store-error.ts'
import { CLIENTS } from './client-collection.ts'
import { firstPartyPublicClient } from './client-record.ts'

/**
 * Out of the box the registry holds each CLIENT_IDS entry (`default` unless configured) as a
 * public first-party client with the password and refresh_token grants, so the recipe's
 * `/auth/login` flow works with no setup. An existing client is never changed: the CLI owns it.
 */
export async function ensureRegisteredClients(records: Records, ids: readonly string[], now: number) {
  for (const id of ids) {
    if ((await records.get(CLIENTS, { id })) !== null) continue
    try {
      await records.insert(CLIENTS, firstPartyPublicClient(id, now))
    } catch (err) {
      // Another instance starting at the same moment registered it first.
      if (!(err instanceof StoreConflictError)) throw err
    }
  }
}
