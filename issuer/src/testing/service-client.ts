// A confidential client record for tests and the bench's seeding: the shape `pnpm clients add
// <id>` registers by default (client_credentials only, not first-party), with what the test sets.
import { type ClientRecord, firstPartyPublicClient } from '../core/clients/client-record.ts'

export function serviceClient(id: string, now: number, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    ...firstPartyPublicClient(id, now),
    type: 'confidential',
    firstParty: false,
    grants: ['client_credentials'],
    // What `pnpm clients add` registers for a confidential client unless told `--pkce required`.
    pkce: 'openid-optional',
    ...overrides,
  }
}
