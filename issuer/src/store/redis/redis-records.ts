// The records port (core/records/records.ts) on Redis, for every collection from its declaration
// alone (the layout is in redis-store.ts's header). Each write is one WRITE_RECORD script, which
// moves the record's unique, index and expiry entries with its values: atomic and one round trip,
// as are findBy and list. Values are kept as text: ints in decimal, bools 1/0, json as JSON, words
// space-joined; a null field is absent from the hash.
import type { Redis } from 'ioredis'
import type { AnyCollection, Collection } from '../../core/records/collection.ts'
import type { RecordPage, RecordQuery, Records } from '../../core/records/records.ts'
import { recordFrom, storedValue } from '../record-codec.ts'
import { drain, PURGE_BATCH, pairs, type RunScript } from './redis-script.ts'
import { FIND_RECORD, LIST_RECORDS, PURGE_RECORDS, WRITE_RECORD } from './redis-scripts.ts'

const MAX_PAGE = 1000

/** Fields as stored: their text, or false for none (null). */
export type StoredFields = Record<string, string | false>

export type WriteMode = 'insert' | 'update' | 'put' | 'delete'

/** The records of the Redis store, and what its own steps and migrations need of them. */
export interface RedisRecords extends Records {
  /** The layout of `c` the scripts take (RECORD_HELPERS in redis-scripts.ts). */
  layout(c: AnyCollection): string
  /** WRITE_RECORD on stored text: the record's hash after, or null (redis-scripts.ts, `write`). */
  write(
    c: AnyCollection,
    key: string,
    mode: WriteMode,
    patch: StoredFields,
    guard?: StoredFields,
  ): Promise<Record<string, string> | null>
  /** Deletes the records of `c` due at `now`, and the key `also<key>` of each; answers how many. */
  purge(c: AnyCollection, now: number, also: string): Promise<number>
}

/** The key of a record as its hash names it: its key fields' values joined by ':'. */
export function keyString(c: AnyCollection, record: object): string {
  return c.key
    .map((field) => {
      const value: unknown = (record as Record<string, unknown>)[field]
      if (typeof value !== 'string') throw new Error(`${c.name}: the key needs ${field}`)
      return value
    })
    .join(':')
}

export function createRedisRecords(redis: Redis, run: RunScript, P: string, marginMs: number): RedisRecords {
  const layouts = new WeakMap<AnyCollection, string>()
  const recordPrefix = (c: AnyCollection) => `${P}${c.redisKey}:`

  /** The fields of `values` (a record, a patch or a guard) as stored; undefined ones are left out. */
  function stored(c: AnyCollection, values: object): StoredFields {
    const out: StoredFields = {}
    for (const [field, value] of Object.entries(values)) {
      if (value === undefined) continue
      const spec = c.fields[field]
      if (spec === undefined) throw new Error(`${c.name} has no field ${field}`)
      const v = storedValue(spec, value)
      out[field] = v === null ? false : v === true ? '1' : v === false ? '0' : String(v)
    }
    return out
  }

  /** A stored hash as a record of `c` (null when empty), read as the SQL stores read a row. */
  function decode<R>(c: Collection<R>, hash: Record<string, string>): R | null {
    if (Object.keys(hash).length === 0) return null
    return recordFrom(c, (field) => hash[field])
  }

  const records: RedisRecords = {
    layout(c) {
      let json = layouts.get(c)
      if (json === undefined) {
        json = JSON.stringify({
          base: c.redisKey,
          key: c.key.join(', '),
          unique: c.unique ?? [],
          indexes: c.indexes ?? [],
          all: c.listAll === true,
          expiry: c.expiry?.field,
          retain: c.expiry?.retainMs ?? 0,
          margin: marginMs,
        })
        layouts.set(c, json)
      }
      return json
    },

    async write(c, key, mode, patch, guard = {}) {
      const reply = await run(
        WRITE_RECORD,
        [],
        [records.layout(c), key, mode, JSON.stringify(patch), JSON.stringify(guard)],
      )
      return reply === null ? null : pairs(reply)
    },

    async get(c, key) {
      return decode(c, await redis.hgetall(recordPrefix(c) + keyString(c, key)))
    },

    async findBy(c, field, value) {
      if (!c.unique?.includes(field)) throw new Error(`${c.name}.${field} is not unique`)
      const unique = `${P}${c.redisKey}#unique:${field}:${value}`
      return decode(c, pairs(await run(FIND_RECORD, [unique], [recordPrefix(c)])))
    },

    async list<R>(c: Collection<R>, query: RecordQuery<R> = {}): Promise<RecordPage<R>> {
      const limit = Math.min(Math.max(query.limit ?? MAX_PAGE, 1), MAX_PAGE)
      const { where } = query
      if (where === undefined ? c.listAll !== true : !c.indexes?.includes(where.field)) {
        throw new Error(`${c.name} is not listed ${where === undefined ? 'whole' : `by ${where.field}`}`)
      }
      const zset = `${P}${c.redisKey}${where === undefined ? '#all' : `#index:${where.field}:${where.value}`}`
      const start = query.after == null ? '-' : `(${query.after}`
      const reply = await run(LIST_RECORDS, [zset], [recordPrefix(c), start, limit + 1])
      if (!Array.isArray(reply)) throw new Error('unexpected reply from the list script')
      const page: R[] = []
      for (let i = 0; i < Math.min(reply.length, 2 * limit); i += 2) {
        // A record Redis dropped by itself (past its expiry) before the purge took its entries.
        const record = decode(c, pairs(reply[i + 1]))
        if (record !== null) page.push(record)
      }
      return { records: page, next: reply.length > 2 * limit ? String(reply[2 * limit - 2]) : null }
    },

    async insert(c, record) {
      await records.write(c, keyString(c, record as object), 'insert', stored(c, record as object))
    },

    async update(c, key, patch, guard = {}) {
      for (const field of c.key) {
        if (patch[field] !== undefined) throw new Error(`${c.name}: the key cannot change`)
      }
      const hash = await records.write(c, keyString(c, key), 'update', stored(c, patch), stored(c, guard))
      return hash === null ? null : decode(c, hash)
    },

    async delete(c, key) {
      return (await records.write(c, keyString(c, key), 'delete', {})) !== null
    },

    async purge(c, now, also) {
      return drain(async () => [
        Number(await run(PURGE_RECORDS, [], [records.layout(c), now, PURGE_BATCH, also])),
      ])
    },
  }
  return records
}
