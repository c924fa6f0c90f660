/**
 * The RFC 8414 / OpenID discovery document: what exists at this issuer, and nothing more.
 * `algs` are the algorithms of the published keys.
 */
export function discoveryMetadata(issuerUrl: string, algs: readonly string[]) {
  const base = issuerUrl
  return {
    issuer: base,
    jwks_uri: `${base}/.well-known/jwks.json`,
    token_endpoint: `${base}/auth/refresh`,
    revocation_endpoint: `${base}/auth/logout`,
    grant_types_supported: ['password', 'refresh_token'],
    response_types_supported: ['token'],
    token_endpoint_auth_methods_supported: ['none'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs,
    access_token_signing_alg_values_supported: algs,
    login_endpoint: `${base}/auth/login`,
    logout_all_endpoint: `${base}/auth/logout-all`,
    sessions_endpoint: `${base}/auth/sessions`,
  }
}
