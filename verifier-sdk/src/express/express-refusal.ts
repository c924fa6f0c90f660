import type { NextFunction, Response } from 'express'
import { VerifyError } from '../errors.ts'
import { authErrorResponse, type Challenge } from '../middleware/auth-error-response.ts'

/**
 * Answers a refused Express request (status, RFC 6750 challenge, `{ code, error }`) when `error`
 * is a VerifyError. Any other error is a bug, not a verdict on the token: it goes to `next`.
 */
export function expressRefusal(
  res: Response,
  next: NextFunction,
  error: unknown,
  challenge?: Challenge,
): void {
  if (error instanceof VerifyError) {
    const { status, headers, body } = authErrorResponse(error, challenge)
    res.status(status).set(headers).json(body)
  } else {
    next(error)
  }
}
