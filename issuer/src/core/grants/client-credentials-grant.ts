import { OAuthError } from '../../errors.ts'
import { OPENID_SCOPE } from '../authorization/check-authorization-request.ts'
import { ACCOUNT_SCOPE, OPENID_STANDARD_SCOPES } from '../clients/grant-scope.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import { requestedScope } from './requested-scope.ts'
import { requireGrant } from './require-grant.ts'
import type { TokenGrant } from './token-grant.ts'

const USER_SCOPES: readonly string[] = [OPENID_SCOPE, ...OPENID_STANDARD_SCOPES]

/**
 * RFC 6749 §4.4, confidential clients only: a service's token, with no refresh token and no session
 * (§4.4.3). Its audience is asked with `resource` (RFC 8707) or `audience`.
 */
export function createClientCredentialsGrant(deps: {
  signer: AccessTokenSigner
  /** The issuer's AUDIENCE: a client with no audiences of its own gets these. */
  defaultAudience: readonly string[]
}): TokenGrant<never, 'scope' | 'resource' | 'audience'> {
  return {
    type: 'client_credentials',
    params: { required: [], optional: ['scope', 'resource', 'audience'] },
    async handle(client, params) {
      const { resource, audience: asked } = params
      if (resource !== undefined && asked !== undefined && resource !== asked) {
        throw new OAuthError(
          'invalid_request',
          'Give the audience as resource or as audience, not two different ones.',
        )
      }
      if (client.type !== 'confidential') {
        throw new OAuthError(
          'unauthorized_client',
          'The client_credentials grant is for confidential clients only.',
        )
      }
      requireGrant(client, 'client_credentials')
      // Without a scope asked, the client's own API scopes: the OpenID ones describe a user, and a
      // service token has none (a client registered for both flows would otherwise get them).
      const scope = requestedScope(client, params.scope).filter(
        (s) => params.scope !== undefined || !USER_SCOPES.includes(s),
      )
      // The account scope acts for a user on the issuer's own endpoints: a service has no user.
      if (scope.includes(ACCOUNT_SCOPE)) {
        throw new OAuthError('invalid_scope', `The scope ${ACCOUNT_SCOPE} needs a user.`)
      }
      const allowed = client.audiences.length > 0 ? client.audiences : deps.defaultAudience
      const audience = resource ?? asked ?? allowed[0]
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
