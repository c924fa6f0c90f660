// The tables of the declared collections, laid out from their declarations at migrate(): a table
// that is missing is created with its key, unique fields and indexes; a field declared after its
// table was made becomes a new column (nullable, or holding its type's empty value). Collections
// that existed before this (users, clients, ...) name the tables numbered migrations made, so
// nothing moves. Safe when several processes migrate at once (IF NOT EXISTS, a duplicate column
// tolerated).
import type { AnyCollection } from '../../core/records/collection.ts'
import type { FieldSpec } from '../../core/records/field-spec.ts'
import { fieldsOf } from '../record-codec.ts'
import { columnOf } from './sql-columns.ts'
import type { SqlDialect } from './sql-dialect.ts'

/** What a non-null column added to a table that has rows holds in them. */
const EMPTY: Record<FieldSpec['type'], string> = {
  text: "''",
  int: '0',
  bool: '0',
  json: "'[]'",
  words: "''",
}

export async function ensureTables(
  dialect: SqlDialect,
  collections: readonly AnyCollection[],
): Promise<void> {
  for (const c of collections) {
    const table = dialect.table(c.name)
    const existing = await dialect.columnsOf(c.name)
    const column = ([field, spec]: [string, FieldSpec]) =>
      `${columnOf(field)} ${dialect.columnType(spec)}${spec.nullable ? '' : ' NOT NULL'}`
    if (existing.length === 0) {
      await dialect.execute(
        `CREATE TABLE IF NOT EXISTS ${table} (${fieldsOf(c).map(column).join(', ')},
           PRIMARY KEY (${c.key.map(columnOf).join(', ')}))${dialect.tableOptions}`,
        [],
      )
    } else {
      for (const [field, spec] of fieldsOf(c)) {
        if (existing.includes(columnOf(field))) continue
        const empty = spec.nullable
          ? ''
          : ` DEFAULT ${spec.type === 'bool' ? dialect.toParam(spec, false) : EMPTY[spec.type]}`
        try {
          await dialect.execute(`ALTER TABLE ${table} ADD COLUMN ${column([field, spec])}${empty}`, [])
        } catch (err) {
          if (!dialect.isDuplicateColumn(err)) throw err
        }
      }
    }
    for (const field of c.unique ?? []) {
      const col = columnOf(field)
      await dialect.execute(`CREATE UNIQUE INDEX IF NOT EXISTS ${c.name}_${col}_key ON ${table} (${col})`, [])
    }
    for (const field of [...(c.indexes ?? []), ...(c.expiry === undefined ? [] : [c.expiry.field])]) {
      const col = columnOf(field)
      await dialect.execute(`CREATE INDEX IF NOT EXISTS ${c.name}_${col} ON ${table} (${col})`, [])
    }
  }
}
