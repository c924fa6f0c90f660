import { createHash } from 'node:crypto'
import pg from 'pg'
import type { SqlDialect } from '../sql/sql-dialect.ts'

/**
 * PostgreSQL under the generic records: tables in the store's schema, `$n` parameters, bigint,
 * boolean and jsonb columns, and every statement named by its text's hash, so each connection
 * parses and plans it once (the records' statements are few: one per operation and field set).
 */
export function createPostgresDialect(pool: pg.Pool | pg.PoolClient, schema: string): SqlDialect {
  const s = `"${schema}"`
  const named = (text: string) => ({
    name: `tokensmith_r_${createHash('sha256').update(text).digest('base64url').slice(0, 20)}`,
    text,
  })
  return {
    table: (name) => `${s}.${name}`,
    param: (n) => `$${n}`,
    tableOptions: '',
    async query(sql, params) {
      return (await pool.query({ ...named(sql), values: [...params] })).rows
    },
    async execute(sql, params) {
      // DDL cannot be a prepared statement: run it as plain text.
      const ddl = /^\s*(CREATE|ALTER)\b/i.test(sql)
      const result = ddl ? await pool.query(sql) : await pool.query({ ...named(sql), values: [...params] })
      return result.rowCount ?? 0
    },
    order: (column) => `${column} COLLATE "C"`,
    columnType: (spec) =>
      ({ text: 'text', int: 'bigint', bool: 'boolean', json: 'jsonb', words: 'text' })[spec.type],
    toParam: (_spec, value) => value,
    async columnsOf(table) {
      const { rows } = await pool.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
        [schema, table],
      )
      return rows.map((r) => r.column_name)
    },
    uniqueViolation(err) {
      if (!(err instanceof pg.DatabaseError) || err.code !== '23505') return null
      // detail: 'Key (username)=(alice) already exists.'
      const columns = /^Key \(([^)]*)\)/.exec(err.detail ?? '')?.[1]?.split(', ') ?? []
      return { table: err.table ?? '', columns }
    },
    isDuplicateColumn: (err) => err instanceof pg.DatabaseError && err.code === '42701',
  }
}
