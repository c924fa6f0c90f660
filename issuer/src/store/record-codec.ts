// A record's fields as every store keeps them, one encoding for SQL columns and Redis hash fields:
// json as JSON text, words space-joined, null absent. Reading accepts each driver's spelling (pg
// hands BIGINT as text, jsonb parsed and booleans as booleans; SQLite numbers and text; Redis
// strings), so a record reads back the same from every store.
import type { AnyCollection, Collection } from '../core/records/collection.ts'
import type { FieldSpec } from '../core/records/field-spec.ts'

const entries = new WeakMap<object, [string, FieldSpec][]>()

/** The fields of `c`, in declaration order, with their specs (listed once per declaration: rows are read on hot paths). */
export function fieldsOf(c: Pick<AnyCollection, 'fields'>): [string, FieldSpec][] {
  let fields = entries.get(c.fields)
  if (fields === undefined) {
    fields = Object.entries(c.fields)
    entries.set(c.fields, fields)
  }
  return fields
}

/** A field's value as stored, before a driver's own spelling of flags. */
export function storedValue(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (spec.type === 'json') return JSON.stringify(value)
  if (spec.type === 'words') return (value as string[]).join(' ')
  return value
}

/** What the codec needs of a kind of record: a name for errors, and its fields. */
export type StoredShape<R> = Pick<Collection<R>, 'name' | 'fields'>

/** A record of `c` read field by field through `get` (what the store holds; undefined or null when absent). */
export function recordFrom<R>(c: StoredShape<R>, get: (field: string) => unknown): R {
  const record: Record<string, unknown> = {}
  for (const [field, spec] of fieldsOf(c)) record[field] = decodeField(c.name, field, spec, get(field))
  return record as R
}

// No closure per field: rows are decoded on the hot paths, and each closure made costs there.
function decodeField(collection: string, field: string, spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) {
    if (spec.nullable) return null
    // A field declared after the record was written holds its type's empty value.
    if (spec.type === 'words') return []
    if (spec.type === 'bool') return false
    throw malformed(collection, field)
  }
  switch (spec.type) {
    case 'text':
      if (typeof value !== 'string' || (spec.oneOf !== undefined && !spec.oneOf.includes(value)))
        throw malformed(collection, field)
      return value
    case 'int': {
      const n = Number(value)
      if (!Number.isSafeInteger(n)) throw malformed(collection, field)
      return n
    }
    case 'bool':
      if (value === true || value === 1 || value === '1') return true
      if (value === false || value === 0 || value === '0') return false
      throw malformed(collection, field)
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value
    case 'words':
      if (typeof value !== 'string') throw malformed(collection, field)
      return value === '' ? [] : value.split(' ')
  }
}

function malformed(collection: string, field: string): Error {
  return new Error(`a stored ${collection} record has a malformed ${field}`)
}
