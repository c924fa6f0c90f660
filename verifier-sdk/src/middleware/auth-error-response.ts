import type { VerifyError } from '../errors.ts'

/** What a middleware answers for a refused request. */
export interface AuthErrorResponse {
  readonly status: 401 | 403 | 503
  readonly headers: Readonly<Record<string, string>>
  readonly body: { readonly code: string; readonly error: string }
}

/** The attributes of a refusal's RFC 6750 challenge besides the error. */
export interface Challenge {
  /** Set by the auth middleware; requireRole and requireScope answer without one. */
  readonly realm?: string | undefined
  /** The scopes a refused request needed (requireScope). */
  readonly scope?: string | undefined
  /** RFC 9470 section 3: the acceptable acr classes, space-separated (requireAcr). */
  readonly acrValues?: string | undefined
  /** RFC 9470 section 3: the allowed age of the authentication in seconds (requireAuthTime). */
  readonly maxAge?: number | undefined
}

/** Seconds a client should wait before retrying while keys are unavailable. */
const KEYS_RETRY_AFTER_SEC = '30'

function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '')}"`
}

/**
 * Maps a VerifyError to the HTTP answer: RFC 6750 `WWW-Authenticate` on 401 and 403 (no `error`
 * attribute when the request carried no token), with RFC 9470's `acr_values` (a quoted string) or
 * `max_age` (a bare integer) for `insufficient_user_authentication`, 503 with Retry-After when
 * keys are unavailable, and the body `{ code, error }` in every case.
 */
export function authErrorResponse(
  error: VerifyError,
  { realm, scope, acrValues, maxAge }: Challenge = {},
): AuthErrorResponse {
  const body = { code: error.code, error: error.message }
  const headers: Record<string, string> = { 'cache-control': 'no-store' }
  const params: string[] = realm === undefined ? [] : [`realm=${quoted(realm)}`]
  switch (error.code) {
    case 'missing_token':
      break
    case 'invalid_token':
    case 'token_expired':
    case 'token_revoked':
      params.push('error="invalid_token"', `error_description=${quoted(error.message)}`)
      break
    case 'insufficient_role':
    case 'insufficient_scope':
      params.push('error="insufficient_scope"', `error_description=${quoted(error.message)}`)
      if (scope !== undefined) params.push(`scope=${quoted(scope)}`)
      break
    case 'insufficient_user_authentication':
      params.push('error="insufficient_user_authentication"', `error_description=${quoted(error.message)}`)
      if (acrValues !== undefined) params.push(`acr_values=${quoted(acrValues)}`)
      if (maxAge !== undefined) params.push(`max_age=${maxAge}`)
      break
    case 'keys_unavailable':
    case 'revocation_unavailable':
      headers['retry-after'] = KEYS_RETRY_AFTER_SEC
      return { status: error.status, headers, body }
  }
  headers['www-authenticate'] = params.length === 0 ? 'Bearer' : `Bearer ${params.join(', ')}`
  return { status: error.status, headers, body }
}
