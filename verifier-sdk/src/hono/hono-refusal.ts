import type { Context } from 'hono'
import { VerifyError } from '../errors.ts'
import { authErrorResponse, type Challenge } from '../middleware/auth-error-response.ts'

/**
 * Answers a refused Hono request (status, RFC 6750 challenge, `{ code, error }`) when `error` is
 * a VerifyError. Any other error is a bug, not a verdict on the token: it is rethrown for the
 * app's error handler.
 */
export function honoRefusal(c: Context, error: unknown, challenge?: Challenge): Response {
  if (!(error instanceof VerifyError)) throw error
  const { status, headers, body } = authErrorResponse(error, challenge)
  return c.json(body, status, headers)
}
