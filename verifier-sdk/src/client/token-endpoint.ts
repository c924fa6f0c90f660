import { invalidResponse, issuerError } from './issuer-error.ts'
import type { TokenSet } from './token-set.ts'

/** Form parameters of an OAuth request; undefined ones are left out. */
export type FormParams = Readonly<Record<string, string | undefined>>

/** POSTs `params` form-encoded (RFC 6749 appendix B) to an OAuth endpoint. */
export function postForm(
  fetch: typeof globalThis.fetch,
  url: string,
  params: FormParams,
  headers: Readonly<Record<string, string>> = {},
): Promise<Response> {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) if (value !== undefined) body.set(name, value)
  return fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: body.toString(),
  })
}

/**
 * A token request (RFC 6749 sections 4.3, 4.4, 6): the answer's tokens, or a TokenClientError
 * with the `error` of a refusal (section 5.2) as its code.
 */
export async function requestToken(
  fetch: typeof globalThis.fetch,
  tokenEndpoint: string,
  params: FormParams,
  headers?: Readonly<Record<string, string>>,
): Promise<TokenSet> {
  const response = await postForm(fetch, tokenEndpoint, params, headers)
  if (!response.ok) throw await issuerError(response, 'oauth')
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  const { access_token, token_type, expires_in, refresh_token } = body ?? {}
  if (
    typeof access_token !== 'string' ||
    access_token.length === 0 ||
    typeof token_type !== 'string' ||
    token_type.toLowerCase() !== 'bearer' ||
    typeof expires_in !== 'number' ||
    !(expires_in > 0) ||
    (refresh_token !== undefined && typeof refresh_token !== 'string')
  ) {
    throw invalidResponse(response.status)
  }
  return { accessToken: access_token, refreshToken: refresh_token, expiresInSec: expires_in }
}
