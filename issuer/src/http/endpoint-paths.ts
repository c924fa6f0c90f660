// The paths, relative to the issuer URL, of the endpoints that other files name: the route modules
// that serve them and the metadata documents that advertise them read them here, so neither side
// imports the other.

/** The standard endpoints that take a form POST (RFC 6749 §3.2, RFC 7009, RFC 7662). */
export const OAUTH_PATHS = {
  token: '/oauth/token',
  revocation: '/oauth/revoke',
  introspection: '/oauth/introspect',
} as const

/** The browser-facing endpoints of the authorization code flow and OpenID Connect. */
export const BROWSER_PATHS = {
  authorization: '/oauth/authorize',
  userinfo: '/oauth/userinfo',
  endSession: '/oauth/logout',
} as const

/** The hosted account pages, behind the browser's login session. */
export const ACCOUNT_PATHS = {
  security: '/account/security',
} as const

/** tokensmith's revocation and key-event feed (advertised in the RFC 8414 metadata). */
export const REVOCATION_FEED_PATHS = {
  document: '/revocations',
  stream: '/revocations/stream',
} as const
