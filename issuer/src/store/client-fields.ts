// How every store keeps a ClientRecord in flat fields (SQL columns, a Redis hash), in the encoding
// of flat-fields.ts. One encoding for all adapters, so a client reads back the same whichever
// store holds it.
import {
  type ClientRecord,
  firstPartyPublicClient,
  GRANT_TYPES,
  type GrantType,
  PKCE_POLICIES,
  type PkcePolicy,
} from '../core/clients/client-record.ts'
import { type FlatValue, flatReader, flattenFields } from './flat-fields.ts'

export type ClientField = keyof ClientRecord

// The keys of a whole record: a field added to ClientRecord cannot be forgotten here.
const CLIENT_FIELDS = Object.keys(firstPartyPublicClient('', 0)) as ClientField[]

/** The fields present in `client` (a whole record or a patch), flattened, in a fixed order. */
export function flattenClient(client: Partial<ClientRecord>): [ClientField, FlatValue][] {
  return flattenFields(CLIENT_FIELDS, client)
}

/** A client read back field by field; `get` answers what the store holds (undefined or null when absent). */
export function clientFromFlat(get: (field: ClientField) => unknown): ClientRecord {
  const read = flatReader('client', get)
  const { text, textOrNull, int, intOrNull, flag, strings, absent, malformed } = read
  // Fields added after a store held clients: a Redis hash written before lacks them.
  const stringsOrNone = (field: ClientField): string[] => (absent(field) ? [] : strings(field))
  const grants = strings('grants')
  if (!grants.every((g) => (GRANT_TYPES as readonly string[]).includes(g))) throw malformed('grants')
  const type = text('type')
  if (type !== 'public' && type !== 'confidential') throw malformed('type')
  // A client stored before the policy existed keeps the rule every client had then.
  const pkce = absent('pkce') ? 'openid-optional' : text('pkce')
  if (!(PKCE_POLICIES as readonly string[]).includes(pkce)) throw malformed('pkce')
  let jwks: ClientRecord['jwks'] = null
  if (!absent('jwks')) {
    const value = read.json('jwks') as { keys?: unknown } | null
    const keys = value?.keys
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null))
      throw malformed('jwks')
    jwks = { keys: keys as Record<string, unknown>[] }
  }
  return {
    id: text('id'),
    name: text('name'),
    type,
    grants: grants as GrantType[],
    scopes: strings('scopes'),
    audiences: strings('audiences'),
    firstParty: flag('firstParty'),
    accessTokenTtlSec: intOrNull('accessTokenTtlSec'),
    secretHash: textOrNull('secretHash'),
    previousSecretHash: textOrNull('previousSecretHash'),
    previousSecretExpiresAt: intOrNull('previousSecretExpiresAt'),
    jwks,
    jwksUri: textOrNull('jwksUri'),
    redirectUris: stringsOrNone('redirectUris'),
    postLogoutRedirectUris: stringsOrNone('postLogoutRedirectUris'),
    pkce: pkce as PkcePolicy,
    webOrigins: stringsOrNone('webOrigins'),
    disabled: flag('disabled'),
    createdAt: int('createdAt'),
    updatedAt: int('updatedAt'),
  }
}
