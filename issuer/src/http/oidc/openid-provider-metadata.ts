import { ACR_VALUES } from '../../core/authorization/acr-values.ts'
import { SCOPE_CLAIMS } from '../../core/claims/scope-claims.ts'
import { BROWSER_PATHS } from '../endpoint-paths.ts'
import { authorizationServerMetadata } from '../oauth/authorization-server-metadata.ts'

/**
 * OpenID Connect Discovery 1.0 §3: RFC 8414's document, plus what an OpenID Provider declares.
 * `id_token_signing_alg_values_supported` is the algorithm of the keys the ring signs with.
 */
export function openIdProviderMetadata(
  issuer: string,
  scopes: readonly string[],
  grantTypes: readonly string[],
  signingAlgs: readonly string[],
) {
  return {
    ...authorizationServerMetadata(issuer, scopes, grantTypes),
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
      'acr',
      'amr',
      'sid',
      'at_hash',
      ...Object.values(SCOPE_CLAIMS).flat(),
      'roles',
    ],
    acr_values_supported: [...ACR_VALUES],
    // §5.5: the claims of SCOPE_CLAIMS, in the ID token or at userinfo.
    claims_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
  }
}
