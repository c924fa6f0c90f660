// Errors a store raises on purpose. `code` is stable so callers can map it (a duplicate username
// to a refusal, a store that cannot serve to a 503) without parsing driver messages, which differ
// between SQLite, pg and Redis: each adapter translates its own driver's errors into these.
import { TokensmithError } from '../errors.ts'

/** `conflict`: a unique key is taken. `unavailable`: the store cannot serve now (retry later). */
export type StoreErrorCode = 'conflict' | 'unavailable'

export class StoreError extends TokensmithError<StoreErrorCode> {
  constructor(code: StoreErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, opts)
    this.name = 'StoreError'
  }
}

/** A unique key is already taken: username, user id, session id or refresh-token hash. */
export class StoreConflictError extends StoreError {
  /** What collided, e.g. 'username'; never the value itself (it may be a token hash). */
  readonly field: string
  constructor(field: string, opts: { cause?: unknown } = {}) {
    super('conflict', `${field} already exists`, opts)
    this.name = 'StoreConflictError'
    this.field = field
  }
}
