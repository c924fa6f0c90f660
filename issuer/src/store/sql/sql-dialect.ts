import type { FieldSpec } from '../../core/records/field-spec.ts'

/** A row as a driver returns it: column name to value. */
export type SqlRow = Record<string, unknown>

/**
 * What differs between the SQL stores under the generic records: how a statement runs, how its
 * parameters are written, how each field type is kept, and how a unique violation looks. One
 * implementation of the records (sql/create-sql-records.ts) runs over either.
 */
export interface SqlDialect {
  /** A table name as statements name it (PostgreSQL qualifies it with the store's schema). */
  table(name: string): string
  /** The placeholder of the n-th parameter (1-based): `?` or `$n`. */
  param(n: number): string
  /** Runs a statement; its rows (for RETURNING or SELECT). */
  query(sql: string, params: readonly unknown[]): Promise<SqlRow[]>
  /** Runs a statement; how many rows it changed. */
  execute(sql: string, params: readonly unknown[]): Promise<number>
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
