import type { Response } from 'express'
import type { VerifyError } from '../errors.ts'
import { authErrorResponse } from '../middleware/auth-error-response.ts'

/** Answers a refused Express request (status, RFC 6750 challenge, `{ code, error }`). */
export function expressAuthError(
  res: Response,
  error: VerifyError,
  realm?: string,
  requiredScope?: string,
): void {
  const { status, headers, body } = authErrorResponse(error, realm, requiredScope)
  res.status(status).set(headers).json(body)
}
