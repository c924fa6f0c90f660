import { OAuthError } from '../../errors.ts'
import { OPENID_SCOPE } from '../authorization/check-authorization-request.ts'
import type { CodeGrantInput, CodeRedemption } from '../authorization/create-code-redemption.ts'
import type { ClientRecord, GrantType } from '../clients/client-record.ts'
import { ACCOUNT_SCOPE, grantScope, OPENID_STANDARD_SCOPES } from '../clients/grant-scope.ts'
import type { Login } from '../login/create-login.ts'
import type { Refresh } from '../rotation/create-refresh.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { TokenPair } from '../tokens/token-pair.ts'

const USER_SCOPES: readonly string[] = [OPENID_SCOPE, ...OPENID_STANDARD_SCOPES]

/** A service's token (client_credentials): no refresh token, no session (RFC 6749 §4.4.3). */
export interface ServiceToken {
  accessToken: string
  expiresIn: number
  scope: string[]
}

export interface TokenGrants {
  /** RFC 6749 §4.1.3 with RFC 7636 §4.5: a code of /oauth/authorize, for the client it was issued to. */
  authorizationCode(
    client: ClientRecord,
    params: CodeGrantInput,
  ): Promise<TokenPair & { idToken: string | null }>
  /** RFC 6749 §4.3, first-party clients only: the login of `/auth/login`. */
  password(
    client: ClientRecord,
    params: { username: string; password: string; scope?: string } & ClientMeta,
  ): Promise<TokenPair>
  /** RFC 6749 §6: the rotation of `/auth/refresh`, bound to the client the token was issued to. */
  refreshToken(client: ClientRecord, params: { refreshToken: string; scope?: string }): Promise<TokenPair>
  /** RFC 6749 §4.4, confidential clients only; `audience` chosen with `resource` (RFC 8707) or `audience`. */
  clientCredentials(
    client: ClientRecord,
    params: { scope?: string; audience?: string },
  ): Promise<ServiceToken>
}

/**
 * The grants of the token endpoint over the same core operations as the JSON API: one login,
 * one rotation. What each grant adds is the client's permission to use it.
 */
export function createTokenGrants(deps: {
  login: Pick<Login, 'loginAs'>
  codes: CodeRedemption
  refresh: Refresh
  signer: AccessTokenSigner
  /** The issuer's AUDIENCE: a client with no audiences of its own gets these. */
  defaultAudience: readonly string[]
}): TokenGrants {
  const requireGrant = (client: ClientRecord, grant: GrantType) => {
    if (!client.grants.includes(grant)) {
      throw new OAuthError('unauthorized_client', `This client may not use the ${grant} grant.`)
    }
  }
  const scopeFor = (client: ClientRecord, requested: string | undefined) => {
    const decision = grantScope(requested, client)
    if (!decision.ok) throw new OAuthError('invalid_scope', decision.reason)
    return decision.scope
  }

  return {
    authorizationCode(client, params) {
      requireGrant(client, 'authorization_code')
      return deps.codes.redeem(client, params)
    },

    async password(client, params) {
      requireGrant(client, 'password')
      // RFC 9700 §2.4: the password grant must not be used; kept for first-party apps only.
      if (!client.firstParty)
        throw new OAuthError('unauthorized_client', 'The password grant is for first-party clients only.')
      return deps.login.loginAs(client, scopeFor(client, params.scope), params)
    },

    refreshToken(client, params) {
      requireGrant(client, 'refresh_token')
      return deps.refresh.refresh(params.refreshToken, {
        client,
        ...(params.scope === undefined ? {} : { scope: params.scope }),
      })
    },

    async clientCredentials(client, params) {
      if (client.type !== 'confidential') {
        throw new OAuthError(
          'unauthorized_client',
          'The client_credentials grant is for confidential clients only.',
        )
      }
      requireGrant(client, 'client_credentials')
      // Without a scope asked, the client's own API scopes: the OpenID ones describe a user, and a
      // service token has none (a client registered for both flows would otherwise get them).
      const scope = scopeFor(client, params.scope).filter(
        (s) => params.scope !== undefined || !USER_SCOPES.includes(s),
      )
      // The account scope acts for a user on the issuer's own endpoints: a service has no user.
      if (scope.includes(ACCOUNT_SCOPE)) {
        throw new OAuthError('invalid_scope', `The scope ${ACCOUNT_SCOPE} needs a user.`)
      }
      const allowed = client.audiences.length > 0 ? client.audiences : deps.defaultAudience
      const audience = params.audience ?? allowed[0]
      if (audience === undefined || !allowed.includes(audience)) {
        throw new OAuthError('invalid_target', 'The requested audience is not allowed for this client.')
      }
      const token = await deps.signer.signService({
        clientId: client.id,
        scope,
        audience: [audience],
        ...(client.accessTokenTtlSec === null ? {} : { ttlSec: client.accessTokenTtlSec }),
      })
      return { accessToken: token.token, expiresIn: token.expiresIn, scope }
    },
  }
}
