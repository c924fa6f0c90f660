import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { VerifyError } from '../errors.ts'
import { authErrorResponse, type Challenge } from '../middleware/auth-error-response.ts'

/**
 * What a Hono middleware throws for a failure. A VerifyError becomes hono's own HTTPException
 * carrying the prepared answer (status, RFC 6750 challenge, `{ code, error }`), which hono's
 * default error handler sends as it is, and which an app's `onError` may restyle: the VerifyError
 * is its `cause`. Any other error is a bug, not a verdict on the token, and is thrown as it is.
 */
export function honoRefusal(c: Context, error: unknown, challenge?: Challenge): unknown {
  if (!(error instanceof VerifyError)) return error
  const { status, headers, body } = authErrorResponse(error, challenge)
  return new HTTPException(status, {
    res: c.json(body, status, headers),
    message: error.message,
    cause: error,
  })
}
