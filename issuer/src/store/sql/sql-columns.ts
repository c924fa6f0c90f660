import type { Collection } from '../../core/records/collection.ts'
import { recordFrom } from '../record-codec.ts'
import type { SqlRow } from './sql-dialect.ts'

/** A field's column: its name in snake_case, as every table of the SQL stores names its columns. */
export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** A row as a record of `c`. */
export function recordFromRow<R>(c: Collection<R>, row: SqlRow): R {
  return recordFrom(c, (field) => row[columnOf(field)])
}
