import type { SessionRecord } from '../../core/sessions/session-record.ts'
import type { RefreshTokenRecord } from '../../core/store.ts'
import { recordFrom, type StoredShape } from '../record-codec.ts'
import { STORED_SESSION, STORED_TOKEN } from '../stored-session.ts'
import type { SqlRow } from './sql-dialect.ts'

const columns = new Map<string, string>()

/** A field's column: its name in snake_case, as every table of the SQL stores names its columns. */
export function columnOf(field: string): string {
  // Converted once per name: rows are read on the hot paths (every rotation answers a session).
  let column = columns.get(field)
  if (column === undefined) {
    column = field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    columns.set(field, column)
  }
  return column
}

/** A row as a record of `c`. */
export function recordFromRow<R>(c: StoredShape<R>, row: SqlRow): R {
  return recordFrom(c, (field) => row[columnOf(field)])
}

// Instants are BIGINT: better-sqlite3 gives numbers, pg int8 strings (rotate_refresh's jsonb, JSON
// numbers); the codec reads each.
export const sessionFromRow = (row: SqlRow): SessionRecord => recordFromRow(STORED_SESSION, row)
export const tokenFromRow = (row: SqlRow): RefreshTokenRecord => recordFromRow(STORED_TOKEN, row)
