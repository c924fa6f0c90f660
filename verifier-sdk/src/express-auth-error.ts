import type { Response } from 'express'
import { authErrorResponse } from './auth-error-response.ts'
import type { VerifyError } from './errors.ts'

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
