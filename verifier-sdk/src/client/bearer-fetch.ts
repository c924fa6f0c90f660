import { insufficientUserAuthenticationOf } from './insufficient-user-authentication-of.ts'
import { parseWwwAuthenticate } from './www-authenticate.ts'

/** Where the bearer of an API call comes from: a user's session, or a service's cached token. */
export interface BearerSource {
  /** The token to send now, after any renewal that is due; undefined to send none. */
  token(): Promise<string | undefined>
  /**
   * An API refused `failed`: a new token, got once for every caller that held `failed` (single
   * flight); the current one if another caller already renewed it. Throws when there is none.
   */
  renew(failed: string): Promise<string>
}

/** Whether a Bearer challenge of the field has `error="invalid_token"` (RFC 6750 section 3.1). */
function saysInvalidToken(field: string | null): boolean {
  if (field === null) return false
  return parseWwwAuthenticate(field).some(
    (c) => c.scheme === 'bearer' && c.params.get('error') === 'invalid_token',
  )
}

/**
 * Whether an API's 401 asks for a new token. A body `{ code }` (tokensmith's middleware) decides
 * by its code; otherwise the RFC 6750 challenge `error="invalid_token"` (any resource server,
 * which says no more when a token expired) does.
 */
async function asksForNewToken(response: Response, codes: readonly string[]): Promise<boolean> {
  try {
    const body = (await response.clone().json()) as { code?: unknown }
    if (typeof body.code === 'string') return codes.includes(body.code)
  } catch {
    // not JSON: the challenge decides
  }
  return saysInvalidToken(response.headers.get('www-authenticate'))
}

/**
 * A 401 with the RFC 9470 challenge becomes InsufficientUserAuthenticationError: only a new
 * authentication of the user mends it, so neither a refresh nor the caller's plain 401 handling
 * is the answer. Any other response passes as it is.
 */
async function stepUpChecked(response: Response): Promise<Response> {
  const error = insufficientUserAuthenticationOf(response)
  if (error === undefined) return response
  await response.body?.cancel()
  throw error
}

/**
 * fetch() with `Authorization: Bearer <token>` from `source`. On a 401 that asks for a new token
 * (body code in `renewOn`, or the RFC 6750 challenge), it renews once and retries; a
 * ReadableStream body cannot be replayed, so that 401 is returned instead. A 401 with the RFC 9470
 * challenge throws InsufficientUserAuthenticationError.
 */
export async function fetchWithBearer(
  fetch: typeof globalThis.fetch,
  source: BearerSource,
  renewOn: readonly string[],
  input: string | URL,
  init: RequestInit | undefined,
): Promise<Response> {
  const send = (token: string | undefined) => {
    const headers = new Headers(init?.headers)
    if (token !== undefined) headers.set('authorization', `Bearer ${token}`)
    return fetch(input, { ...init, headers })
  }
  const used = await source.token()
  const response = await stepUpChecked(await send(used))
  if (response.status !== 401 || used === undefined || init?.body instanceof ReadableStream) return response
  if (!(await asksForNewToken(response, renewOn))) return response
  await response.body?.cancel()
  return stepUpChecked(await send(await source.renew(used)))
}
