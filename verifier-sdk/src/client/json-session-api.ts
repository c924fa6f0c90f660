import { invalidResponse, issuerError } from './issuer-error.ts'
import type { SessionApi } from './session-api.ts'
import type { TokenSet } from './token-set.ts'

async function tokenSetOf(response: Response): Promise<TokenSet> {
  if (!response.ok) throw await issuerError(response, 'json')
  const body = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined
  const { accessToken, refreshToken, expiresIn } = body ?? {}
  if (
    typeof accessToken !== 'string' ||
    typeof refreshToken !== 'string' ||
    typeof expiresIn !== 'number' ||
    !(expiresIn > 0)
  ) {
    throw invalidResponse(response.status)
  }
  return { accessToken, refreshToken, expiresInSec: expiresIn }
}

/**
 * tokensmith's JSON API (`/auth/login`, `/auth/refresh`, `/auth/logout`), for issuers whose
 * metadata offers no standard token endpoint with the password grant.
 */
export function createJsonSessionApi(fetch: typeof globalThis.fetch, base: string): SessionApi {
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    })
  return {
    async login(username, password, scope) {
      return tokenSetOf(
        await post(
          '/auth/login',
          scope === undefined ? { username, password } : { username, password, scope },
        ),
      )
    },
    async refresh(refreshToken) {
      return tokenSetOf(await post('/auth/refresh', { refreshToken }))
    },
    async revoke(refreshToken) {
      const response = await post('/auth/logout', { refreshToken })
      // 401: the token was already dead, which is what logout wants.
      if (!response.ok && response.status !== 401) throw await issuerError(response, 'json')
      await response.body?.cancel()
    },
    // Every 401 of /auth/refresh is final: reused, revoked, expired or unknown.
    endsSession: (error) => error.status === 401,
  }
}
