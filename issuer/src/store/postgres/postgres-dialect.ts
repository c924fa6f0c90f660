import { createHash } from 'node:crypto'
import pg from 'pg'
import type { SqlDialect } from '../sql/sql-dialect.ts'

/**
 * PostgreSQL under the generic records and the shared steps: tables in the store's schema, bigint,
 * boolean and jsonb columns, and every statement named by its text's hash, so each connection
 * parses and plans it once (the statements are few: one per operation and field set). A step runs
 * in a transaction of its own, or in the caller's when `db` is a client inside one (migrate).
 */
export function createPostgresDialect(db: pg.Pool | pg.PoolClient, schema: string): SqlDialect {
  const s = `"${schema}"`
  const names = new Map<string, string>()
  const named = (text: string) => {
    let name = names.get(text)
    if (name === undefined) {
      name = `tokensmith_r_${createHash('sha256').update(text).digest('base64url').slice(0, 20)}`
      names.set(text, name)
    }
    return { name, text }
  }
  const query = async (client: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[]) =>
    (await client.query({ ...named(sql), values: [...params] })).rows
  return {
    table: (name) => `${s}.${name}`,
    tableOptions: '',
    writableCte: true,
    query: (sql, params) => query(db, sql, params),
    async atomic(step) {
      const run = async (client: pg.Pool | pg.PoolClient) => {
        let next = step.next()
        while (!next.done) next = step.next(await query(client, ...next.value))
        return next.value
      }
      return db instanceof pg.Pool ? transaction(db, run) : run(db)
    },
    async execute(sql, params) {
      // DDL cannot be a prepared statement: run it as plain text.
      const ddl = /^\s*(CREATE|ALTER)\b/i.test(sql)
      const result = ddl ? await db.query(sql) : await db.query({ ...named(sql), values: [...params] })
      return result.rowCount ?? 0
    },
    order: (column) => `${column} COLLATE "C"`,
    columnType: (spec) =>
      ({ text: 'text', int: 'bigint', bool: 'boolean', json: 'jsonb', words: 'text' })[spec.type],
    toParam: (_spec, value) => value,
    async columnsOf(table) {
      const { rows } = await db.query<{ column_name: string }>(
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

/** Runs `fn` in a transaction on one of the pool's connections: committed, or rolled back and thrown. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    try {
      await client.query('ROLLBACK')
    } catch (rollbackErr) {
      // A connection that cannot roll back is not handed to the next caller.
      broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr))
    }
    throw err
  } finally {
    client.release(broken)
  }
}
