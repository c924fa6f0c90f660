// The records port: the generic reads and writes every feature's collections need, implemented
// once for SQL (SQLite and PostgreSQL) and once for Redis. What must happen atomically across
// several records (a rotation, a redemption that starts a session) is not here: those are the
// store's named atomic steps, each written per backend (core/store.ts).
import type { Collection, RecordKey, TextField } from './collection.ts'

export interface RecordQuery<R> {
  /** Only the records whose indexed field equals `value`; absent: all (a `listAll` collection). */
  where?: { field: TextField<R>; value: string }
  /** The `next` of the previous page; absent: from the first record. */
  after?: string | null
  /** At most this many (default and bound: 1000). */
  limit?: number
}

export interface RecordPage<R> {
  records: R[]
  /** The cursor of the next page; null when this page was the last. */
  next: string | null
}

export interface Records {
  /** The record with this key, or null. */
  get<R>(c: Collection<R>, key: NoInfer<RecordKey<R>>): Promise<R | null>
  /** The record whose unique `field` is `value`, or null. */
  findBy<R>(c: Collection<R>, field: TextField<R>, value: string): Promise<R | null>
  /** Records in key order, a page at a time. */
  list<R>(c: Collection<R>, query?: NoInfer<RecordQuery<R>>): Promise<RecordPage<R>>
  /** Stores a new record. Throws StoreConflictError naming the key or unique field that is taken. */
  insert<R>(c: Collection<R>, record: NoInfer<R>): Promise<void>
  /**
   * Changes the fields `patch` names (null clears a nullable one), atomically, when every field of
   * `guard` holds the given value (null: absent): a compare-and-set. Answers the updated record, or
   * null when there is no such record or the guard failed; then nothing changed. A patch that takes
   * a unique value another record holds throws StoreConflictError. Key fields cannot change.
   */
  update<R>(
    c: Collection<R>,
    key: NoInfer<RecordKey<R>>,
    patch: NoInfer<Partial<R>>,
    guard?: NoInfer<Partial<R>>,
  ): Promise<R | null>
  /** Removes the record; false when there was none. */
  delete<R>(c: Collection<R>, key: NoInfer<RecordKey<R>>): Promise<boolean>
}
