import type { Logger } from '../core/logger.ts'
import { StoreError } from '../core/store-error.ts'

/** What both surfaces tell a client whose request met a store that cannot serve now. */
export const STORE_UNAVAILABLE_MESSAGE = 'The service is temporarily unavailable. Try again shortly.'
/** Seconds a client should wait before retrying (`Retry-After`). */
export const STORE_RETRY_AFTER_SEC = 5

/**
 * True for StoreError('unavailable'), which it logs as `store_unavailable`. The driver's own code
 * (SQLITE_FULL, 57P01, ECONNREFUSED) helps an operator; its message may quote a statement's
 * values, so it is not logged.
 */
export function loggedAsStoreUnavailable(err: Error, logger: Logger): err is StoreError {
  if (!(err instanceof StoreError && err.code === 'unavailable')) return false
  const driverCode = (err.cause as { code?: unknown } | undefined)?.code
  logger.error('store_unavailable', {
    name: err.name,
    code: err.code,
    driverCode: typeof driverCode === 'string' ? driverCode : null,
  })
  return true
}
