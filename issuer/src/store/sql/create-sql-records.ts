// The records port (core/records/records.ts) for both SQL stores, over a dialect: one statement
// per operation, so each is atomic on its own (a guarded update is one UPDATE ... WHERE ...
// RETURNING). Tables and columns come from the collections' declarations (sql/ensure-tables.ts).
// Off the hot path: rotations and logins use the stores' own statements.
import type { AnyCollection, Collection, RecordKey } from '../../core/records/collection.ts'
import type { RecordPage, RecordQuery, Records } from '../../core/records/records.ts'
import { StoreConflictError } from '../../core/store-error.ts'
import { fieldsOf, storedValue } from '../record-codec.ts'
import { columnOf, recordFromRow } from './sql-columns.ts'
import type { SqlDialect } from './sql-dialect.ts'

const MAX_PAGE = 1000

/** The records of the SQL stores, and the purge of the collections that expire. */
export interface SqlRecords extends Records {
  /** Deletes every record past its collection's expiry; answers how many. */
  purge(now: number): Promise<number>
}

export function createSqlRecords(dialect: SqlDialect, collections: readonly AnyCollection[]): SqlRecords {
  /** Parameters and their placeholders, numbered in the order they are added. */
  const params = () => {
    const values: unknown[] = []
    return {
      values,
      add(value: unknown): string {
        values.push(value)
        return `$${values.length}`
      },
    }
  }
  const param = <R>(c: Collection<R>, field: string, value: unknown) =>
    dialect.toParam(c.fields[field as keyof R], storedValue(c.fields[field as keyof R], value))

  function whereKey<R>(c: Collection<R>, key: RecordKey<R>, p: ReturnType<typeof params>): string {
    return c.key
      .map((field) => {
        const value = key[field]
        if (value === undefined) throw new Error(`${c.name}: the key needs ${field}`)
        return `${columnOf(field)} = ${p.add(value)}`
      })
      .join(' AND ')
  }

  /** StoreConflictError naming the fields a unique violation of `c` names; anything else as it was. */
  function conflict<R>(c: Collection<R>, err: unknown): unknown {
    const violation = dialect.uniqueViolation(err)
    if (violation === null) return err
    const fields = Object.keys(c.fields).filter((field) => violation.columns.includes(columnOf(field)))
    return new StoreConflictError(fields.length > 0 ? fields.join(', ') : c.name, { cause: err })
  }

  const encodeCursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url')
  function decodeCursor(cursor: string, length: number): unknown[] {
    let values: unknown
    try {
      values = JSON.parse(Buffer.from(cursor, 'base64url').toString())
    } catch {
      values = null
    }
    if (!Array.isArray(values) || values.length !== length) throw new Error('a malformed records cursor')
    return values
  }

  const records: SqlRecords = {
    async get(c, key) {
      const p = params()
      const rows = await dialect.query(
        `SELECT * FROM ${dialect.table(c.name)} WHERE ${whereKey(c, key, p)}`,
        p.values,
      )
      return rows[0] === undefined ? null : recordFromRow(c, rows[0])
    },

    async findBy(c, field, value) {
      const rows = await dialect.query(
        `SELECT * FROM ${dialect.table(c.name)} WHERE ${columnOf(field)} = $1`,
        [value],
      )
      return rows[0] === undefined ? null : recordFromRow(c, rows[0])
    },

    async list<R>(c: Collection<R>, query: RecordQuery<R> = {}): Promise<RecordPage<R>> {
      const limit = Math.min(Math.max(query.limit ?? MAX_PAGE, 1), MAX_PAGE)
      const p = params()
      const where: string[] = []
      if (query.where !== undefined)
        where.push(`${columnOf(query.where.field)} = ${p.add(query.where.value)}`)
      const keyColumns = c.key.map(columnOf)
      const ordered = keyColumns.map((col) => dialect.order(col)).join(', ')
      if (query.after != null) {
        const after = decodeCursor(query.after, keyColumns.length).map((v) => p.add(v))
        where.push(`(${ordered}) > (${after.join(', ')})`)
      }
      const rows = await dialect.query(
        `SELECT * FROM ${dialect.table(c.name)} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${ordered} LIMIT ${limit + 1}`,
        p.values,
      )
      const page = rows.slice(0, limit).map((row) => recordFromRow(c, row))
      const last = rows[limit - 1]
      return {
        records: page,
        next:
          rows.length > limit && last !== undefined ? encodeCursor(keyColumns.map((col) => last[col])) : null,
      }
    },

    async insert(c, record) {
      const p = params()
      const fields = fieldsOf(c)
      const values = fields.map(([field]) =>
        p.add(param(c, field, (record as Record<string, unknown>)[field])),
      )
      try {
        await dialect.query(
          `INSERT INTO ${dialect.table(c.name)} (${fields.map(([field]) => columnOf(field)).join(', ')})
           VALUES (${values.join(', ')})`,
          p.values,
        )
      } catch (err) {
        throw conflict(c, err)
      }
    },

    async update(c, key, patch, guard = {}) {
      const p = params()
      const set = Object.entries(patch)
        .filter(([, value]) => value !== undefined)
        .map(([field, value]) => {
          if ((c.key as readonly string[]).includes(field))
            throw new Error(`${c.name}: the key cannot change`)
          return `${columnOf(field)} = ${p.add(param(c, field, value))}`
        })
      const where = [whereKey(c, key, p)]
      for (const [field, value] of Object.entries(guard)) {
        if (value === undefined) continue
        where.push(
          value === null
            ? `${columnOf(field)} IS NULL`
            : `${columnOf(field)} = ${p.add(param(c, field, value))}`,
        )
      }
      // Nothing to change: the record as it is, when the guard holds.
      const statement =
        set.length === 0
          ? `SELECT * FROM ${dialect.table(c.name)} WHERE ${where.join(' AND ')}`
          : `UPDATE ${dialect.table(c.name)} SET ${set.join(', ')} WHERE ${where.join(' AND ')} RETURNING *`
      try {
        const rows = await dialect.query(statement, p.values)
        return rows[0] === undefined ? null : recordFromRow(c, rows[0])
      } catch (err) {
        throw conflict(c, err)
      }
    },

    async delete(c, key) {
      const p = params()
      return (
        (await dialect.execute(
          `DELETE FROM ${dialect.table(c.name)} WHERE ${whereKey(c, key, p)}`,
          p.values,
        )) > 0
      )
    },

    async purge(now) {
      let deleted = 0
      for (const c of collections) {
        if (c.expiry === undefined) continue
        deleted += await dialect.execute(
          `DELETE FROM ${dialect.table(c.name)} WHERE ${columnOf(c.expiry.field)} <= $1`,
          [now - (c.expiry.retainMs ?? 0)],
        )
      }
      return deleted
    },
  }
  return records
}
