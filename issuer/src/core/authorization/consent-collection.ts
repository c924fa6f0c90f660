// Consent a user gave a client (remembered until revoked): `consents` / `consent:<userId>:<clientId>`.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

/** Consent a user gave a client for some scopes (remembered until revoked). */
export interface ConsentRecord {
  userId: string
  clientId: string
  scope: string[]
  grantedAt: number
}

export const CONSENTS = defineCollection<ConsentRecord>({
  name: 'consents',
  redisKey: 'consent',
  key: ['userId', 'clientId'],
  indexes: ['userId'],
  fields: {
    userId: f.text(),
    clientId: f.text(),
    scope: f.words(),
    grantedAt: f.int(),
  },
})
