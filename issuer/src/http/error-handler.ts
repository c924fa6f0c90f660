import type { ErrorHandler } from 'hono'
import { StoreError } from '../core/store-error.ts'
import { IssuerError } from '../errors.ts'
import type { Logger } from '../runtime/logger.ts'
import { isStoreUnavailable } from './is-store-unavailable.ts'

/** A store that cannot serve now. */
function storeUnavailable(err: Error): boolean {
  if (err instanceof StoreError) return err.code === 'unavailable'
  return isStoreUnavailable(err) // until adapters translate (B)
}

/**
 * Answers every error as `{ code, error }` with its status. A store that cannot serve is a 503
 * the client may retry, not a 500 that reads like a bug. Logs name and code only: a driver's
 * message may quote a statement's values.
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    if (err instanceof IssuerError) {
      if (err.retryAfterSec !== undefined) c.header('Retry-After', String(err.retryAfterSec))
      if (err.status >= 500) logger.error('request_failed', { code: err.code, detail: err.detail ?? null })
      return c.json({ code: err.code, error: err.message }, err.status as 400)
    }
    if (storeUnavailable(err)) {
      logger.error('store_unavailable', {
        name: err.name,
        code: String((err as { code?: unknown }).code ?? ''),
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
