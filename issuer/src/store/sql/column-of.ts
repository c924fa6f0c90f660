// Where a record's flat fields (flat-fields.ts) go in the SQL stores' tables: a column per field,
// named in snake_case.
import type { FlatValue } from '../flat-fields.ts'

export function columnOf(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
}

/** The columns and values of flattened fields, in their order, for an INSERT or UPDATE. */
export function columnsOf(flat: readonly [string, FlatValue][]): { columns: string[]; values: FlatValue[] } {
  return { columns: flat.map(([field]) => columnOf(field)), values: flat.map(([, value]) => value) }
}
