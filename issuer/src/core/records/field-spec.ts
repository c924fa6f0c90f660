// How a field of a record is kept, in words every store understands. A store maps each type to its
// own representation once (SQL column types per dialect, strings in a Redis hash), so a collection
// declared in the core needs no adapter code.

/**
 * `text`: a string. `int`: an integer (instants are milliseconds). `bool`: a flag. `json`: any JSON
 * value (lists, objects). `words`: a list of strings without spaces, kept as one space-separated
 * text (scopes), '' for none.
 */
export type FieldType = 'text' | 'int' | 'bool' | 'json' | 'words'

export interface FieldSpec {
  type: FieldType
  /** Whether the field may be null (absent); a field that is not is always written. */
  nullable?: boolean
  /** For `text`: the only values a stored record may hold; anything else is a malformed record. */
  oneOf?: readonly string[]
}

/** The field builders a collection declaration reads well with: `f.text()`, `f.int({ nullable: true })`. */
export const f = {
  text: (opts: Omit<FieldSpec, 'type'> = {}): FieldSpec => ({ type: 'text', ...opts }),
  int: (opts: Omit<FieldSpec, 'type' | 'oneOf'> = {}): FieldSpec => ({ type: 'int', ...opts }),
  bool: (): FieldSpec => ({ type: 'bool' }),
  json: (opts: Omit<FieldSpec, 'type' | 'oneOf'> = {}): FieldSpec => ({ type: 'json', ...opts }),
  words: (): FieldSpec => ({ type: 'words' }),
} as const
