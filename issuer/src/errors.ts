// Every error the package raises on purpose extends TokensmithError (the pattern of jose's
// JOSEError): `code` is stable, so callers and tests match on it, never on the message, and each
// subclass narrows it to its own union. Messages never contain a secret.

/** The common base: `instanceof TokensmithError` tells a deliberate refusal from a bug. */
export class TokensmithError<Code extends string = string> extends Error {
  readonly code: Code
  constructor(code: Code, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'TokensmithError'
    this.code = code
  }
}

export type IssuerErrorCode =
  | 'invalid_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'invalid_credentials'
  | 'missing_token'
  | 'invalid_token'
  | 'token_expired'
  | 'reuse_detected'
  | 'rate_limited'
  | 'invalid_scope'
  | 'insufficient_scope'
  | 'insufficient_user_authentication'
  | 'mfa_required'
  | 'mfa_enrollment_required'
  | 'invalid_mfa_token'
  | 'user_disabled'
  | 'not_found'
  | 'forbidden_origin'
  | 'unavailable'
  | 'server_error'

const STATUS: Record<IssuerErrorCode, number> = {
  invalid_request: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  invalid_credentials: 401,
  missing_token: 401,
  invalid_token: 401,
  token_expired: 401,
  reuse_detected: 401,
  rate_limited: 429,
  invalid_scope: 400,
  insufficient_scope: 403,
  // RFC 9470 §3: the token is fine, the login behind it is not recent or strong enough.
  insufficient_user_authentication: 401,
  mfa_required: 401,
  mfa_enrollment_required: 403,
  invalid_mfa_token: 401,
  user_disabled: 403,
  not_found: 404,
  forbidden_origin: 403,
  unavailable: 503,
  server_error: 500,
}

/**
 * A refusal answered to a client: `message` is the client-facing sentence, `detail` is for
 * operators' logs only. Neither ever holds a secret.
 */
export class IssuerError extends TokensmithError<IssuerErrorCode> {
  readonly status: number
  /** Internal detail for logs; never sent to clients. */
  readonly detail: string | undefined
  /** Seconds, for 429 `Retry-After`. */
  readonly retryAfterSec: number | undefined

  constructor(
    code: IssuerErrorCode,
    message: string,
    opts: { detail?: string; retryAfterSec?: number; cause?: unknown } = {},
  ) {
    super(code, message, opts)
    this.name = 'IssuerError'
    this.status = STATUS[code]
    this.detail = opts.detail
    this.retryAfterSec = opts.retryAfterSec
  }
}

export type ConfigErrorCode = 'invalid_config'

/** Bad configuration: names the variable (or flag) and what is expected. Stops start-up. */
export class ConfigError extends TokensmithError<ConfigErrorCode> {
  readonly variable: string
  constructor(variable: string, message: string) {
    super('invalid_config', `${variable}: ${message}`)
    this.name = 'ConfigError'
    this.variable = variable
  }
}

/**
 * `invalid_key`: a key file or manifest entry is refused. `no_current_key`: nothing can sign now.
 * `no_standby_key`: an emergency rotation found no published key to promote. `keys_locked`: another
 * genkeys held the keys directory's lock for longer than the wait.
 */
export type KeyErrorCode = 'invalid_key' | 'no_current_key' | 'no_standby_key' | 'keys_locked'

/** A key file or manifest the issuer refuses to use. The message names the file and the fix. */
export class KeyError extends TokensmithError<KeyErrorCode> {
  readonly file: string
  constructor(file: string, message: string, code: KeyErrorCode = 'invalid_key') {
    super(code, `${file}: ${message}`)
    this.name = 'KeyError'
    this.file = file
  }
}

export type PasswordErrorCode = 'password_too_long' | 'password_empty'

/** A password the hasher refuses (the login route, the users CLI map the code). Never holds the password. */
export class PasswordError extends TokensmithError<PasswordErrorCode> {
  constructor(code: PasswordErrorCode, message: string) {
    super(code, message)
    this.name = 'PasswordError'
  }
}

/** RFC 6749 §5.2 error codes (and RFC 7009/7662's use of them) that the /oauth endpoints answer. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_token_type'
  | 'temporarily_unavailable'
  | 'server_error'
  // The authorization endpoint's (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6).
  | 'access_denied'
  | 'unsupported_response_type'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'request_not_supported'
  | 'request_uri_not_supported'
  // The userinfo endpoint's Bearer errors (RFC 6750 §3.1).
  | 'invalid_token'
  | 'insufficient_scope'

const OAUTH_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_target: 400,
  unsupported_token_type: 400,
  temporarily_unavailable: 503,
  server_error: 500,
  access_denied: 400,
  unsupported_response_type: 400,
  login_required: 400,
  consent_required: 400,
  interaction_required: 400,
  request_not_supported: 400,
  request_uri_not_supported: 400,
  invalid_token: 401,
  insufficient_scope: 403,
}

/**
 * An error of the standard surface, answered as `{ error, error_description }`. `message` is the
 * `error_description` (never a secret); `detail` is for operators' logs only.
 */
export class OAuthError extends TokensmithError<OAuthErrorCode> {
  readonly status: number
  readonly detail: string | undefined
  /** The client tried HTTP Basic: a 401 then carries `WWW-Authenticate: Basic` (§5.2). */
  readonly basicChallenge: boolean
  readonly retryAfterSec: number | undefined

  constructor(
    code: OAuthErrorCode,
    message: string,
    opts: { detail?: string; basicChallenge?: boolean; status?: number; retryAfterSec?: number } = {},
  ) {
    super(code, errorDescription(message))
    this.name = 'OAuthError'
    this.status = opts.status ?? OAUTH_STATUS[code]
    this.detail = opts.detail
    this.basicChallenge = opts.basicChallenge ?? false
    this.retryAfterSec = opts.retryAfterSec
  }
}

/** RFC 6749 §5.2 (and §4.1.2.1): the characters an `error_description` may hold. */
const DESCRIPTION_CHAR = /[\x20-\x21\x23-\x5b\x5d-\x7e]/

/**
 * `text` as an RFC 6749 `error_description`: `%x20-21 / %x23-5B / %x5D-7E` only, so a client's
 * parser and a `WWW-Authenticate` quoted string both hold it. Descriptions are written that way;
 * this keeps one that is not (a section sign, a quote) from reaching a client. It does not make
 * echoing request bytes safe: descriptions never contain them.
 */
export function errorDescription(text: string): string {
  let out = ''
  for (const ch of text.replaceAll('\u00a7', 'section ')) {
    out += DESCRIPTION_CHAR.test(ch) ? ch : ch === '"' ? "'" : ch === '\\' ? '/' : ' '
  }
  return out
}
