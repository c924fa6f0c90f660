import Database from 'better-sqlite3'
import type { SqlDialect, SqlRow, SqlStatement } from '../sql/sql-dialect.ts'

/**
 * SQLite under the generic records and the shared steps: `$n` parameters rewritten to `?`, STRICT
 * tables, flags as 0/1 and JSON as TEXT. better-sqlite3 is synchronous: a statement is one implicit
 * transaction, and a step runs whole inside `immediate` (BEGIN IMMEDIATE) before anything else.
 */
export function createSqliteDialect(
  stmt: (sql: string) => Database.Statement,
  immediate: <T>(fn: () => T) => T,
): SqlDialect {
  // Each text rewritten once: `$n` becomes `?`, and the parameters are bound in their order.
  const positional = new Map<string, { sql: string; order: number[] }>()
  const prepared = (sql: string, params: readonly unknown[]): [Database.Statement, unknown[]] => {
    let p = positional.get(sql)
    if (p === undefined) {
      const order: number[] = []
      const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1)
        return '?'
      })
      p = { sql: text, order }
      positional.set(sql, p)
    }
    return [stmt(p.sql), p.order.map((i) => params[i])]
  }
  const query = ([sql, params]: SqlStatement): SqlRow[] => {
    const [s, values] = prepared(sql, params)
    if (s.reader) return s.all(...values) as SqlRow[]
    s.run(...values)
    return []
  }
  return {
    table: (name) => name,
    tableOptions: ' STRICT',
    writableCte: false,
    // SQLite compares text byte by byte already.
    order: (column) => column,
    async query(sql, params) {
      return query([sql, params])
    },
    async execute(sql, params) {
      const [s, values] = prepared(sql, params)
      return s.run(...values).changes
    },
    async atomic(step) {
      return immediate(() => {
        let next = step.next()
        while (!next.done) next = step.next(query(next.value))
        return next.value
      })
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
