import type { Context } from 'hono'
import type { VerifyError } from '../errors.ts'
import { authErrorResponse } from '../middleware/auth-error-response.ts'

/** Answers a refused Hono request (status, RFC 6750 challenge, `{ code, error }`). */
export function honoAuthError(
  c: Context,
  error: VerifyError,
  realm?: string,
  requiredScope?: string,
): Response {
  const { status, headers, body } = authErrorResponse(error, realm, requiredScope)
  return c.json(body, status, headers)
}
