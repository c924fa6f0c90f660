// The client registry: `clients` / `client:<id>`.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'
import { type ClientRecord, PKCE_POLICIES } from './client-record.ts'

export const CLIENTS = defineCollection<ClientRecord>({
  name: 'clients',
  redisKey: 'client',
  key: ['id'],
  listAll: true,
  fields: {
    id: f.text(),
    name: f.text(),
    type: f.text({ oneOf: ['public', 'confidential'] }),
    grants: f.json(),
    scopes: f.json(),
    audiences: f.json(),
    firstParty: f.bool(),
    accessTokenTtlSec: f.int({ nullable: true }),
    secretHash: f.text({ nullable: true }),
    previousSecretHash: f.text({ nullable: true }),
    previousSecretExpiresAt: f.int({ nullable: true }),
    jwks: f.json({ nullable: true }),
    jwksUri: f.text({ nullable: true }),
    redirectUris: f.json(),
    postLogoutRedirectUris: f.json(),
    pkce: f.text({ oneOf: PKCE_POLICIES }),
    webOrigins: f.json(),
    requireMfa: f.bool(),
    disabled: f.bool(),
    createdAt: f.int(),
    updatedAt: f.int(),
  },
})
