import type { OAuthEndpoints } from './authorization-server.ts'
import { issuerError } from './issuer-error.ts'
import type { SessionApi } from './session-api.ts'
import { postForm, requestToken } from './token-endpoint.ts'

/**
 * The standard surface for a user's session: the password and refresh_token grants at the token
 * endpoint (RFC 6749 sections 4.3 and 6), as the public client `clientId`, and RFC 7009 revocation.
 */
export function createOAuthSessionApi(
  fetch: typeof globalThis.fetch,
  endpoints: OAuthEndpoints,
  clientId: string,
  fallbackLogout: SessionApi['revoke'],
): SessionApi {
  const { tokenEndpoint, revocationEndpoint } = endpoints
  return {
    login: (username, password, scope) =>
      requestToken(fetch, tokenEndpoint, {
        grant_type: 'password',
        username,
        password,
        client_id: clientId,
        scope,
      }),
    refresh: (refreshToken) =>
      requestToken(fetch, tokenEndpoint, {
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: clientId,
      }),
    async revoke(refreshToken) {
      // An issuer without a revocation endpoint still ends the session through its own logout.
      if (revocationEndpoint === undefined) return fallbackLogout(refreshToken)
      const response = await postForm(fetch, revocationEndpoint, {
        token: refreshToken,
        token_type_hint: 'refresh_token',
        client_id: clientId,
      })
      // RFC 7009 section 2.2: 200 also for a token already invalid.
      if (!response.ok) throw await issuerError(response, 'oauth')
      await response.body?.cancel()
    },
    // invalid_grant: the refresh token is reused, revoked or expired; 401: the client is refused.
    endsSession: (error) => (error.status === 400 && error.code === 'invalid_grant') || error.status === 401,
  }
}
