import type { ErrorHandler } from 'hono'
import type { Logger } from '../../core/logger.ts'
import { IssuerError, OAuthError, type OAuthErrorCode } from '../../errors.ts'
import {
  loggedAsStoreUnavailable,
  STORE_RETRY_AFTER_SEC,
  STORE_UNAVAILABLE_MESSAGE,
} from '../store-unavailable.ts'

const REALM = 'tokensmith'

// The core's refusals as RFC 6749 §5.2 names them. A login or refresh token that does not hold
// is `invalid_grant` whatever the reason, so the answer tells an attacker nothing more.
const FROM_ISSUER: Partial<Record<IssuerError['code'], OAuthErrorCode>> = {
  invalid_credentials: 'invalid_grant',
  user_disabled: 'invalid_grant',
  invalid_token: 'invalid_grant',
  token_expired: 'invalid_grant',
  reuse_detected: 'invalid_grant',
  rate_limited: 'invalid_grant',
  invalid_scope: 'invalid_scope',
  invalid_request: 'invalid_request',
  payload_too_large: 'invalid_request',
  unsupported_media_type: 'invalid_request',
}

function asOAuthError(err: IssuerError): OAuthError {
  const code = FROM_ISSUER[err.code] ?? 'temporarily_unavailable'
  return new OAuthError(code, err.message, {
    ...(err.detail === undefined ? {} : { detail: err.detail }),
    // Too many failed logins keep their 429 and Retry-After.
    ...(err.code === 'rate_limited'
      ? { status: 429 }
      : err.code === 'payload_too_large'
        ? { status: 413 }
        : {}),
    ...(err.retryAfterSec === undefined ? {} : { retryAfterSec: err.retryAfterSec }),
  })
}

/** Every /oauth error as `{ error, error_description }` (RFC 6749 §5.2); never a 5xx for bad input. */
export function createOAuthErrorHandler(logger: Logger): ErrorHandler {
  return (err, c) => {
    let oauth: OAuthError
    if (err instanceof OAuthError) oauth = err
    else if (err instanceof IssuerError) oauth = asOAuthError(err)
    else if (loggedAsStoreUnavailable(err, logger)) {
      oauth = new OAuthError('temporarily_unavailable', STORE_UNAVAILABLE_MESSAGE, {
        retryAfterSec: STORE_RETRY_AFTER_SEC,
      })
    } else {
      logger.error('unhandled_error', { name: err.name, path: c.req.path })
      oauth = new OAuthError('server_error', 'The server failed to handle the request.')
    }
    if (oauth.status === 401 && oauth.basicChallenge) c.header('WWW-Authenticate', `Basic realm="${REALM}"`)
    if (oauth.retryAfterSec !== undefined) c.header('Retry-After', String(oauth.retryAfterSec))
    c.header('Cache-Control', 'no-store')
    c.header('Pragma', 'no-cache')
    return c.json({ error: oauth.code, error_description: oauth.message }, oauth.status as 400)
  }
}
