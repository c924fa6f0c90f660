import { ASSERTION_ALGORITHMS, CLIENT_AUTH_METHODS } from '../../core/clients/client-credentials.ts'
import { BROWSER_PATHS, OAUTH_PATHS, REVOCATION_FEED_PATHS } from '../endpoint-paths.ts'

/**
 * RFC 8414 §2: what this issuer implements, and nothing it does not: the grants of the token
 * endpoint's list, the authorization code flow with S256 PKCE only, answers in the query with `iss`
 * (RFC 9207 §3). Introspection is for confidential clients only, so `none` is not among its methods.
 */
export function authorizationServerMetadata(
  issuer: string,
  scopes: readonly string[],
  grantTypes: readonly string[],
) {
  const algs = [...ASSERTION_ALGORITHMS]
  const confidentialMethods = CLIENT_AUTH_METHODS.filter((m) => m !== 'none')
  return {
    issuer,
    authorization_endpoint: `${issuer}${BROWSER_PATHS.authorization}`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}${OAUTH_PATHS.token}`,
    revocation_endpoint: `${issuer}${OAUTH_PATHS.revocation}`,
    introspection_endpoint: `${issuer}${OAUTH_PATHS.introspection}`,
    grant_types_supported: [...grantTypes],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: algs,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    revocation_endpoint_auth_signing_alg_values_supported: algs,
    introspection_endpoint_auth_methods_supported: confidentialMethods,
    introspection_endpoint_auth_signing_alg_values_supported: algs,
    scopes_supported: [...scopes],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
    // tokensmith's JSON API (`/auth/*`), for first-party apps and the browser cookie flow.
    login_endpoint: `${issuer}/auth/login`,
    logout_all_endpoint: `${issuer}/auth/logout-all`,
    sessions_endpoint: `${issuer}/auth/sessions`,
    // tokensmith's revocation and key-event feed (docs/issuer.md, "Revocation feed").
    revocation_feed_endpoint: `${issuer}${REVOCATION_FEED_PATHS.document}`,
    revocation_feed_stream_endpoint: `${issuer}${REVOCATION_FEED_PATHS.stream}`,
  }
}
