// The one encoding of a record's fields as flat values (SQL columns, a Redis hash), shared by the
// records kept that way (clients, users): lists and objects as JSON text, flags as 0/1, instants
// as integers, null where a value is absent. Reading accepts both spellings of a driver: pg hands
// jsonb parsed and booleans as booleans, Redis hands every value as a string.

export type FlatValue = string | number | null

type Value = string | number | boolean | object | null

/** One field's value as stored. */
function flatValue(value: Value): FlatValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  return JSON.stringify(value)
}

/** The `fields` present in `record` (a whole record or a patch), flattened, in the order of `fields`. */
export function flattenFields<F extends string>(
  fields: readonly F[],
  record: Partial<Record<F, Value | undefined>>,
): [F, FlatValue][] {
  const flat: [F, FlatValue][] = []
  for (const field of fields) {
    const value = record[field]
    if (value !== undefined) flat.push([field, flatValue(value)])
  }
  return flat
}

/** Typed reads of a stored record's fields; each throws naming the field when it is malformed. */
export interface FlatReader<F extends string> {
  /** Whether the store holds no value for `field` (null, or a hash without it). */
  absent(field: F): boolean
  text(field: F): string
  textOrNull(field: F): string | null
  int(field: F): number
  intOrNull(field: F): number | null
  flag(field: F): boolean
  /** A JSON value (parsed from text, or as the driver parsed it). */
  json(field: F): unknown
  strings(field: F): string[]
  malformed(field: F): Error
}

/** Reads a record of kind `what` ('client', 'user') field by field through `get`. */
export function flatReader<F extends string>(what: string, get: (field: F) => unknown): FlatReader<F> {
  const malformed = (field: F): Error => new Error(`stored ${what} has a malformed ${field}`)
  const absent = (field: F): boolean => {
    const value = get(field)
    return value === undefined || value === null
  }
  const present = (field: F): unknown => {
    if (absent(field)) throw malformed(field)
    return get(field)
  }
  const reader: FlatReader<F> = {
    absent,
    malformed,
    text(field) {
      const value = present(field)
      if (typeof value !== 'string') throw malformed(field)
      return value
    },
    textOrNull: (field) => (absent(field) ? null : reader.text(field)),
    int(field) {
      const value = Number(present(field))
      if (!Number.isSafeInteger(value)) throw malformed(field)
      return value
    },
    intOrNull: (field) => (absent(field) ? null : reader.int(field)),
    flag(field) {
      const value = present(field)
      if (value === true || value === 1 || value === '1') return true
      if (value === false || value === 0 || value === '0') return false
      throw malformed(field)
    },
    json(field) {
      const value = present(field)
      return typeof value === 'string' ? JSON.parse(value) : value
    },
    strings(field) {
      const value = reader.json(field)
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw malformed(field)
      return value
    },
  }
  return reader
}
