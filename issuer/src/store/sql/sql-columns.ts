import type { AnyCollection, Collection } from '../../core/records/collection.ts'
import type { FieldSpec } from '../../core/records/field-spec.ts'
import type { SqlRow } from './sql-dialect.ts'

/** A field's column: its name in snake_case, as every table of the SQL stores names its columns. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** The fields of `c`, in declaration order, with their specs. */
export function fieldsOf(c: AnyCollection): [string, FieldSpec][] {
  return Object.entries(c.fields)
}

/**
 * A row as a record of `c`: each column read by its field's type, in either driver's spelling
 * (pg hands BIGINT as text, jsonb parsed and booleans as booleans; SQLite numbers and text).
 */
export function recordFromRow<R>(c: Collection<R>, row: SqlRow): R {
  const record: Record<string, unknown> = {}
  for (const [field, spec] of fieldsOf(c)) record[field] = valueOf(c.name, field, spec, row[columnOf(field)])
  return record as R
}

function valueOf(table: string, field: string, spec: FieldSpec, value: unknown): unknown {
  const malformed = () => new Error(`${table}.${columnOf(field)} holds a malformed value`)
  if (value === null || value === undefined) {
    if (spec.nullable) return null
    // A column added after a row was written holds its type's empty value (sql/ensure-tables.ts).
    if (spec.type === 'words') return []
    throw malformed()
  }
  switch (spec.type) {
    case 'text':
      if (typeof value !== 'string' || (spec.oneOf !== undefined && !spec.oneOf.includes(value)))
        throw malformed()
      return value
    case 'int': {
      const n = Number(value)
      if (!Number.isSafeInteger(n)) throw malformed()
      return n
    }
    case 'bool':
      if (value === true || value === 1 || value === '1') return true
      if (value === false || value === 0 || value === '0') return false
      throw malformed()
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value
    case 'words':
      if (typeof value !== 'string') throw malformed()
      return value === '' ? [] : value.split(' ')
  }
}

/** A value of a field as the SQL stores keep it before the dialect's own spelling. */
export function storedValue(spec: FieldSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null
  if (spec.type === 'json') return JSON.stringify(value)
  if (spec.type === 'words') return (value as string[]).join(' ')
  return value
}
