/**
 * The package's errors. Every code is a stable snake_case word that callers may switch on;
 * `message` is safe to show a client, `detail` is for logs. Neither ever contains token text.
 */

/** A verdict on a request's access token, or on the verifier's keys. */
export type VerifyErrorCode =
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'insufficient_scope'
  | 'insufficient_role'
  | 'keys_unavailable'
  | 'token_revoked'
  | 'revocation_unavailable'
  | 'insufficient_user_authentication'

/**
 * The token client's own codes, or the code of the issuer's refusal (`code` of its JSON API's
 * `{ code, error }`, `error` of an OAuth `{ error, error_description }`), passed on as the issuer
 * sent it (the SDK does not tie itself to the issuer's list, so that stays open).
 */
export type TokenClientErrorCode =
  | 'not_logged_in'
  | 'no_account_session'
  | 'no_token_endpoint'
  | 'invalid_response'
  | `http_${number}`
  | (string & {})

/** Every code an error of this package carries. */
export type TokensmithSdkErrorCode = VerifyErrorCode | TokenClientErrorCode

/**
 * Base of the package's errors (after jose's JOSEError): one class to test with `instanceof`, and
 * a `code` typed by the subclass.
 */
export class TokensmithSdkError<Code extends TokensmithSdkErrorCode = TokensmithSdkErrorCode> extends Error {
  override readonly name: string = 'TokensmithSdkError'
  readonly code: Code

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    // No `cause` property at all when there is none, so logs do not print `cause: undefined`.
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
  }
}

const STATUS: Readonly<Record<VerifyErrorCode, 401 | 403 | 503>> = {
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  insufficient_scope: 403,
  insufficient_role: 403,
  keys_unavailable: 503,
  token_revoked: 401,
  revocation_unavailable: 503,
  // RFC 9470 section 3: a 401, since the answer is a new token from a new authentication.
  insufficient_user_authentication: 401,
}

const MESSAGE: Readonly<Record<VerifyErrorCode, string>> = {
  missing_token: 'An access token is required.',
  invalid_token: 'The access token is invalid.',
  token_expired: 'The access token has expired.',
  insufficient_scope: 'The access token lacks a required scope.',
  insufficient_role: 'The access token does not grant access to this resource.',
  keys_unavailable: 'The service cannot verify access tokens right now.',
  token_revoked: 'The access token has been revoked.',
  revocation_unavailable: 'The service cannot check access tokens for revocation right now.',
  insufficient_user_authentication: 'A stronger or more recent authentication of the user is required.',
}

/**
 * Why a token or a request was refused, as a stable word beside the code (which says what the
 * client should do): `missing`, and `malformed` for a value of the wrong form, the rest as named.
 */
export type VerifyErrorReason =
  | 'missing'
  | 'other_scheme'
  | 'malformed'
  | 'oversized'
  | 'not_allowed'
  | 'not_supported'
  | 'mismatch'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'in_future'
  | 'not_granted'
  | 'refresh_failed'
  | 'not_loaded'
  | 'stale'
  | 'revoked'
  | 'too_old'

/** What a throw site says about a refusal, besides its code. */
export interface VerifyErrorDetails {
  readonly reason: VerifyErrorReason
  /** The claim or header parameter concerned, when one is. */
  readonly claim?: string
  readonly detail: string
  readonly cause?: unknown
}

export class VerifyError extends TokensmithSdkError<VerifyErrorCode> {
  override readonly name = 'VerifyError'
  /** HTTP status a server should answer with. */
  readonly status: 401 | 403 | 503
  /** The claim or header parameter concerned ('exp', 'aud', 'alg', 'kid', 'scope', ...), when one is. */
  readonly claim?: string
  readonly reason: VerifyErrorReason
  /** Internal explanation for logs; never shown to clients, never contains token text. */
  readonly detail: string

  constructor(code: VerifyErrorCode, details: VerifyErrorDetails) {
    super(code, MESSAGE[code], details)
    this.status = STATUS[code]
    if (details.claim !== undefined) this.claim = details.claim
    this.reason = details.reason
    this.detail = details.detail
  }
}

export function isVerifyError(value: unknown): value is VerifyError {
  return value instanceof VerifyError
}

/** Thrown by the token client when the issuer refuses a request, or when it holds no session. */
export class TokenClientError extends TokensmithSdkError<TokenClientErrorCode> {
  override readonly name = 'TokenClientError'
  /** The HTTP status the issuer answered (401 for a client without a session). */
  readonly status: number

  constructor(code: TokenClientErrorCode, status: number, message: string) {
    super(code, message)
    this.status = status
  }
}

/**
 * Thrown by the token clients' `fetch` when a resource server answers 401 with the RFC 9470
 * challenge `Bearer error="insufficient_user_authentication"`: the user must authenticate again
 * (at the issuer's `/oauth/authorize` with these `acr_values` and `max_age`); a refresh would not help.
 */
export class InsufficientUserAuthenticationError extends TokensmithSdkError<'insufficient_user_authentication'> {
  override readonly name = 'InsufficientUserAuthenticationError'
  readonly status = 401
  /** The challenge's `acr_values`, space-separated there: the classes the resource server accepts ([] when it names none). */
  readonly acrValues: readonly string[]
  /** The challenge's `max_age`: how old, in seconds, the authentication may be at most. */
  readonly maxAge: number | undefined

  constructor(acrValues: readonly string[], maxAge: number | undefined) {
    super(
      'insufficient_user_authentication',
      'The resource server requires a stronger or more recent authentication of the user.',
    )
    this.acrValues = Object.freeze([...acrValues])
    this.maxAge = maxAge
  }
}
