import type { ErrorHandler } from 'hono'
import { StoreError } from '../core/store-error.ts'
import { IssuerError } from '../errors.ts'
import type { Logger } from '../runtime/logger.ts'

/**
 * Answers every error as `{ code, error }` with its status. A store that cannot serve is a 503
 * the client may retry, not a 500 that reads like a bug. The adapters translate their drivers'
 * failures into StoreError('unavailable'); a raw driver error reaching here is a bug (500).
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof IssuerError) {
      if (err.retryAfterSec !== undefined) c.header('Retry-After', String(err.retryAfterSec))
      if (err.status >= 500) logger.error('request_failed', { code: err.code, detail: err.detail ?? null })
      return c.json({ code: err.code, error: err.message }, err.status as 400)
    }
    if (err instanceof StoreError && err.code === 'unavailable') {
      // The driver's own code (SQLITE_FULL, 57P01, ECONNREFUSED) helps an operator; its message may
      // quote a statement's values, so it is not logged.
      const driverCode = (err.cause as { code?: unknown } | undefined)?.code
      logger.error('store_unavailable', {
        name: err.name,
        code: err.code,
        driverCode: typeof driverCode === 'string' ? driverCode : null,
      })
      c.header('Retry-After', '5')
      return c.json(
        { code: 'unavailable', error: 'The service is temporarily unavailable. Try again shortly.' },
        503,
      )
    }
    logger.error('unhandled_error', { name: err.name, path: c.req.path })
    return c.json({ code: 'server_error', error: 'The server failed to handle the request.' }, 500)
  }
}
