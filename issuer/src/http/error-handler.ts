import type { ErrorHandler } from 'hono'
import type { Logger } from '../core/logger.ts'
import { IssuerError } from '../errors.ts'
import {
  loggedAsStoreUnavailable,
  STORE_RETRY_AFTER_SEC,
  STORE_UNAVAILABLE_MESSAGE,
} from './store-unavailable.ts'

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
    if (loggedAsStoreUnavailable(err, logger)) {
      c.header('Retry-After', String(STORE_RETRY_AFTER_SEC))
      return c.json({ code: 'unavailable', error: STORE_UNAVAILABLE_MESSAGE }, 503)
    }
    logger.error('unhandled_error', { name: err.name, path: c.req.path })
    return c.json({ code: 'server_error', error: 'The server failed to handle the request.' }, 500)
  }
}
