import type { CodeRedemption } from '../authorization/create-code-redemption.ts'
import { requireGrant } from './require-grant.ts'
import type { TokenGrant } from './token-grant.ts'

/** RFC 6749 §4.1.3 with RFC 7636 §4.5: a code of /oauth/authorize, for the client it was issued to. */
export function createAuthorizationCodeGrant(deps: {
  codes: CodeRedemption
}): TokenGrant<'code', 'redirect_uri' | 'code_verifier'> {
  return {
    type: 'authorization_code',
    params: { required: ['code'], optional: ['redirect_uri', 'code_verifier'] },
    async handle(client, params, meta) {
      requireGrant(client, 'authorization_code')
      const pair = await deps.codes.redeem(client, {
        code: params.code,
        redirectUri: params.redirect_uri,
        codeVerifier: params.code_verifier,
        ...meta,
      })
      return {
        accessToken: pair.accessToken,
        expiresIn: pair.expiresIn,
        scope: pair.scope,
        // RFC 6749 §4.1.4: the refresh token is optional; only a client that may use it gets one.
        ...(client.grants.includes('refresh_token') ? { refreshToken: pair.refreshToken } : {}),
        ...(pair.idToken === null ? {} : { idToken: pair.idToken }),
      }
    },
  }
}
