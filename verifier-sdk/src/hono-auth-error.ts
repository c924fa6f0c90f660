import type { Context } from 'hono'
import { authErrorResponse } from './auth-error-response.ts'
import type { VerifyError } from './errors.ts'

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
