import type { FieldSpec } from '../../core/records/field-spec.ts'

/** A row as a driver returns it: column name to value. */
export type SqlRow = Record<string, unknown>

/** A statement, its parameters written `$1`, `$2`, ... (SQLite's dialect rewrites them), and their values. */
export type SqlStatement = [sql: string, params: readonly unknown[]]

/** A step of several statements: yields each, is given its rows, and returns the step's answer. */
export type SqlStep<T> = Generator<SqlStatement, T, SqlRow[]>

/**
 * What differs between the SQL stores under the generic records and the shared steps: how a
 * statement and a transaction run, how each field type is kept, and how a unique violation looks.
 * One implementation of each (sql/create-sql-records.ts, sql/sql-steps.ts) runs over either.
 */
export interface SqlDialect {
  /** A table name as statements name it (PostgreSQL qualifies it with the store's schema). */
  table(name: string): string
  /** Runs a statement; its rows (for RETURNING or SELECT). */
  query(sql: string, params: readonly unknown[]): Promise<SqlRow[]>
  /** Runs a statement; how many rows it changed. */
  execute(sql: string, params: readonly unknown[]): Promise<number>
  /** Runs a step's statements as one write transaction (SQLite: BEGIN IMMEDIATE, synchronously). */
  atomic<T>(step: SqlStep<T>): Promise<T>
  /** Whether one statement may write several tables (PostgreSQL's data-modifying WITH). */
  writableCte: boolean
  /** What follows CREATE TABLE's column list (SQLite: STRICT). */
  tableOptions: string
  /** A key column as ORDER BY and the cursor's comparison name it: byte order, as Redis sorts keys. */
  order(column: string): string
  /** The column type of a field for CREATE TABLE and ADD COLUMN. */
  columnType(spec: FieldSpec): string
  /** A field's value as a parameter (flags as the dialect takes them, JSON as text). */
  toParam(spec: FieldSpec, value: unknown): unknown
  /** The columns `table` has now (empty when it does not exist). */
  columnsOf(table: string): Promise<string[]>
  /** The column a unique or primary-key violation names, or null when `err` is not one. */
  uniqueViolation(err: unknown): { table: string; columns: string[] } | null
  /** Whether `err` says a column being added is already there (another process added it). */
  isDuplicateColumn(err: unknown): boolean
}
