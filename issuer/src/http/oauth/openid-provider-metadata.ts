import { BROWSER_PATHS } from '../authorize/browser-paths.ts'
import { ROLES_SCOPE } from '../authorize/userinfo-routes.ts'
import { authorizationServerMetadata } from './authorization-server-metadata.ts'

/** The scopes of OpenID Connect this issuer answers (Core §5.4), and tokensmith's `roles`. */
export const OIDC_SCOPES = ['openid', 'profile', ROLES_SCOPE] as const

/**
 * OpenID Connect Discovery 1.0 §3: RFC 8414's document, plus what an OpenID Provider declares.
 * `id_token_signing_alg_values_supported` is the algorithm of the keys the ring signs with.
 */
export function openIdProviderMetadata(
  issuer: string,
  scopes: readonly string[],
  signingAlgs: readonly string[],
) {
  return {
    ...authorizationServerMetadata(issuer, scopes),
    userinfo_endpoint: `${issuer}${BROWSER_PATHS.userinfo}`,
    end_session_endpoint: `${issuer}${BROWSER_PATHS.endSession}`,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...signingAlgs],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'sid',
      'at_hash',
      'preferred_username',
      'roles',
    ],
    claims_parameter_supported: false,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  }
}
