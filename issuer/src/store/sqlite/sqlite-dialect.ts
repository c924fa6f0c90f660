import Database from 'better-sqlite3'
import type { SqlDialect } from '../sql/sql-dialect.ts'

/**
 * SQLite under the generic records: `?` parameters, STRICT tables, flags as 0/1 and JSON as TEXT.
 * better-sqlite3 is synchronous; each statement is one implicit transaction.
 */
export function createSqliteDialect(stmt: (sql: string) => Database.Statement): SqlDialect {
  return {
    table: (name) => name,
    param: () => '?',
    tableOptions: ' STRICT',
    // SQLite compares text byte by byte already.
    order: (column) => column,
    async query(sql, params) {
      const s = stmt(sql)
      if (s.reader) return s.all(...params) as Record<string, unknown>[]
      s.run(...params)
      return []
    },
    async execute(sql, params) {
      return stmt(sql).run(...params).changes
    },
    columnType: (spec) => (spec.type === 'int' || spec.type === 'bool' ? 'INTEGER' : 'TEXT'),
    toParam: (spec, value) => (spec.type === 'bool' && value !== null ? (value ? 1 : 0) : value),
    async columnsOf(table) {
      return (stmt(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name)
    },
    uniqueViolation(err) {
      if (
        !(err instanceof Database.SqliteError) ||
        !/^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(err.code)
      ) {
        return null
      }
      // "UNIQUE constraint failed: users.username" (or several "table.column", comma-separated)
      const named = err.message.replace(/^.*failed: /, '').split(', ')
      return {
        table: named[0]?.split('.')[0] ?? '',
        columns: named.map((n) => n.split('.')[1] ?? ''),
      }
    },
    isDuplicateColumn: (err) => err instanceof Error && /duplicate column name/i.test(err.message),
  }
}
