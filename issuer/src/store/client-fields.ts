// How every store keeps a ClientRecord in flat fields (SQL columns, a Redis hash): lists and the
// JWKS as JSON text, flags as 0/1, instants and the TTL as integers, null where a value is
// absent. One encoding for all adapters, so a client reads back the same whichever store holds it.
import {
  type ClientRecord,
  firstPartyPublicClient,
  GRANT_TYPES,
  type GrantType,
} from '../core/clients/client-record.ts'

export type ClientField = keyof ClientRecord
export type FlatValue = string | number | null

// The keys of a whole record: a field added to ClientRecord cannot be forgotten here.
const CLIENT_FIELDS = Object.keys(firstPartyPublicClient('', 0)) as ClientField[]

/** The fields present in `client` (a whole record or a patch), flattened, in a fixed order. */
export function flattenClient(client: Partial<ClientRecord>): [ClientField, FlatValue][] {
  const flat: [ClientField, FlatValue][] = []
  for (const field of CLIENT_FIELDS) {
    const value = client[field]
    if (value !== undefined) flat.push([field, flatValue(value)])
  }
  return flat
}

function flatValue(value: NonNullable<ClientRecord[ClientField]> | null): FlatValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  return JSON.stringify(value)
}

/**
 * A client read back field by field; `get` answers what the store holds (undefined or null when
 * absent). Both spellings of a driver are read: pg hands jsonb parsed and booleans as booleans,
 * Redis hands every value as a string.
 */
export function clientFromFlat(get: (field: ClientField) => unknown): ClientRecord {
  const bad = (field: ClientField): Error => new Error(`stored client has a malformed ${field}`)
  const present = (field: ClientField): unknown => {
    const value = get(field)
    if (value === undefined || value === null) throw bad(field)
    return value
  }
  const text = (field: ClientField): string => {
    const value = present(field)
    if (typeof value !== 'string') throw bad(field)
    return value
  }
  const textOrNull = (field: ClientField): string | null => (absent(get(field)) ? null : text(field))
  const int = (field: ClientField): number => {
    const value = Number(present(field))
    if (!Number.isSafeInteger(value)) throw bad(field)
    return value
  }
  const intOrNull = (field: ClientField): number | null => (absent(get(field)) ? null : int(field))
  const flag = (field: ClientField): boolean => {
    const value = present(field)
    if (value === true || value === 1 || value === '1') return true
    if (value === false || value === 0 || value === '0') return false
    throw bad(field)
  }
  const json = (field: ClientField): unknown => {
    const value = present(field)
    return typeof value === 'string' ? JSON.parse(value) : value
  }
  const strings = (field: ClientField): string[] => {
    const value = json(field)
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bad(field)
    return value
  }
  // Fields added after a store held clients: a Redis hash written before lacks them.
  const stringsOrNone = (field: ClientField): string[] => (absent(get(field)) ? [] : strings(field))
  const grants = strings('grants')
  if (!grants.every((g) => (GRANT_TYPES as readonly string[]).includes(g))) throw bad('grants')
  const type = text('type')
  if (type !== 'public' && type !== 'confidential') throw bad('type')
  let jwks: ClientRecord['jwks'] = null
  if (!absent(get('jwks'))) {
    const value = json('jwks') as { keys?: unknown } | null
    const keys = value?.keys
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'object' && k !== null)) throw bad('jwks')
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
    disabled: flag('disabled'),
    createdAt: int('createdAt'),
    updatedAt: int('updatedAt'),
  }
}

const absent = (value: unknown): boolean => value === undefined || value === null
