// The `clients` table of the SQL stores, shared so SQLite and PostgreSQL cannot drift apart: a
// column per ClientRecord field (snake_case), lists and the JWKS as JSON text in SQLite and jsonb
// in PostgreSQL, flags as 0/1 (PostgreSQL reads '1'/'0' into its boolean columns).
import type { ClientRecord } from '../../core/clients/client-record.ts'
import { clientFromFlat, flattenClient } from '../client-fields.ts'
import type { FlatValue } from '../flat-fields.ts'
import { columnOf, columnsOf } from './column-of.ts'

/** A row of `clients` as the driver returns it. */
export type ClientRow = Record<string, unknown>

/** The columns and values of the fields present in `client` (a whole record or a patch). */
export function clientColumns(client: Partial<ClientRecord>): { columns: string[]; values: FlatValue[] } {
  return columnsOf(flattenClient(client))
}

export function clientFromRow(row: ClientRow): ClientRecord {
  return clientFromFlat((field) => row[columnOf(field)])
}
