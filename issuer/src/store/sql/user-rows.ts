// The `users` table of the SQL stores, shared so SQLite and PostgreSQL cannot drift apart: a
// column per UserRecord field (snake_case), roles as JSON text in SQLite and jsonb in PostgreSQL,
// flags as 0/1 (PostgreSQL reads '1'/'0' into its boolean columns).
import type { UserRecord } from '../../core/store.ts'
import type { FlatValue } from '../flat-fields.ts'
import { flattenUser, userFromFlat } from '../user-fields.ts'
import { columnOf, columnsOf } from './column-of.ts'

/** A row of `users` as the driver returns it. */
export type UserRow = Record<string, unknown>

/**
 * The columns and values of the fields present in `user` (a whole record, or a patch: only what it
 * changes, so one UPDATE never overwrites a field a concurrent patch changed).
 */
export function userColumns(user: Partial<UserRecord>): { columns: string[]; values: FlatValue[] } {
  return columnsOf(flattenUser(user))
}

export function userFromRow(row: UserRow): UserRecord {
  return userFromFlat((field) => row[columnOf(field)])
}
