import type { FieldSpec } from './field-spec.ts'

/** The names of the fields of R whose values are strings: what a key or a unique field may be. */
export type TextField<R> = { [F in keyof R]-?: R[F] extends string | null ? F : never }[keyof R] & string

/**
 * A kind of stored record, declared beside the feature that owns it: its fields and how each is
 * kept, its key, the fields that must be unique and those it is listed by, and when it expires.
 * Every store implements every collection from this declaration alone (SQL: a table of the same
 * name, a column per field in snake_case; Redis: a hash per record under `redisKey`), so a new
 * collection costs no adapter, migration or script.
 */
export interface Collection<R> {
  /** The SQL table. */
  name: string
  /** The Redis key prefix: a record is the hash `<redisKey>:<key>`. */
  redisKey: string
  /** The key: one field, or several (a consent is a user's for a client). Key values hold no `:`. */
  key: readonly TextField<R>[]
  fields: { readonly [F in keyof R]-?: FieldSpec }
  /** Fields whose values no two records share (besides the key). */
  unique?: readonly TextField<R>[]
  /** Fields records are listed by (equality, in key order). */
  indexes?: readonly TextField<R>[]
  /** Whether every record can be listed (in key order), as a registry's are. */
  listAll?: boolean
  /**
   * When a record expires: the instant in `field`, plus `retainMs`. The background purge deletes it
   * after that, and Redis drops it by itself; every read still checks the caller's instants.
   */
  expiry?: { field: keyof R & string; retainMs?: number }
}

/** Any collection, seen by what a store needs to lay out and purge it (every Collection<R> is one). */
export interface AnyCollection {
  name: string
  redisKey: string
  key: readonly string[]
  fields: Readonly<Record<string, FieldSpec>>
  unique?: readonly string[]
  indexes?: readonly string[]
  listAll?: boolean
  expiry?: { field: string; retainMs?: number }
}

/** The key of a record of `c`: its key fields' values. */
export type RecordKey<R> = { readonly [F in TextField<R>]?: string }

/** Declares a collection; only checks, at start-up, what the type system cannot. */
export function defineCollection<R>(c: Collection<R>): Collection<R> {
  for (const field of [...c.key, ...(c.unique ?? []), ...(c.indexes ?? [])]) {
    if (c.fields[field].type !== 'text') throw new Error(`${c.name}.${field}: keys and indexes must be text`)
  }
  if (c.expiry !== undefined && c.fields[c.expiry.field].type !== 'int') {
    throw new Error(`${c.name}.${c.expiry.field}: the expiry must be an int field`)
  }
  return c
}
