/**
 * The package's errors. Every code is a stable snake_case word that callers may switch on;
 * `message` is safe to show a client, `detail` is for logs. Neither ever contains token text.
 */

export type VerifyErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'insufficient_role'
  | 'keys_unavailable'

const STATUS: Readonly<Record<VerifyErrorCode, 401 | 403 | 503>> = {
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  insufficient_role: 403,
  keys_unavailable: 503,
}

const MESSAGE: Readonly<Record<VerifyErrorCode, string>> = {
  missing_token: 'An access token is required.',
  invalid_token: 'The access token is invalid.',
  token_expired: 'The access token has expired.',
  insufficient_role: 'The access token does not grant access to this resource.',
  keys_unavailable: 'The service cannot verify access tokens right now.',
}

export class VerifyError extends Error {
  override readonly name = 'VerifyError'
  readonly code: VerifyErrorCode
  /** HTTP status a server should answer with. */
  readonly status: 401 | 403 | 503
  /** Internal explanation for logs; never shown to clients, never contains token text. */
  readonly detail: string

  constructor(code: VerifyErrorCode, detail: string, options?: { cause?: unknown; message?: string }) {
    super(
      options?.message ?? MESSAGE[code],
      options?.cause === undefined ? undefined : { cause: options.cause },
    )
    this.code = code
    this.status = STATUS[code]
    this.detail = detail
  }
}

export function isVerifyError(value: unknown): value is VerifyError {
  return value instanceof VerifyError
}

/** Thrown by the token client when the issuer refuses a request (`code` as the issuer sent it). */
export class TokenClientError extends Error {
  override readonly name = 'TokenClientError'
  readonly code: string
  readonly status: number

  constructor(code: string, status: number, message: string) {
    super(message)
    this.code = code
    this.status = status
  }
}
