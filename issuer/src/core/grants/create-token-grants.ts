import type { CodeRedemption } from '../authorization/create-code-redemption.ts'
import type { Login } from '../login/create-login.ts'
import type { Refresh } from '../rotation/create-refresh.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import { createAuthorizationCodeGrant } from './authorization-code-grant.ts'
import { createClientCredentialsGrant } from './client-credentials-grant.ts'
import { createPasswordGrant } from './password-grant.ts'
import { createRefreshTokenGrant } from './refresh-token-grant.ts'
import type { TokenGrant } from './token-grant.ts'

/** The grants `/oauth/token` answers, in the order the metadata lists their types. */
export type TokenGrants = readonly TokenGrant[]

/**
 * The grants of the token endpoint over the same core operations as the JSON API: one login,
 * one rotation. What each grant adds is the client's permission to use it. A new grant is its
 * own file and one line here.
 */
export function createTokenGrants(deps: {
  login: Pick<Login, 'loginAs'>
  codes: CodeRedemption
  refresh: Refresh
  signer: AccessTokenSigner
  /** The issuer's AUDIENCE: a client with no audiences of its own gets these. */
  defaultAudience: readonly string[]
}): TokenGrants {
  return [
    createAuthorizationCodeGrant(deps),
    createPasswordGrant(deps),
    createRefreshTokenGrant(deps),
    createClientCredentialsGrant(deps),
  ]
}
