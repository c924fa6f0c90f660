/** The browser-facing endpoints of the authorization code flow and OpenID Connect. */
export const BROWSER_PATHS = {
  authorization: '/oauth/authorize',
  userinfo: '/oauth/userinfo',
  endSession: '/oauth/logout',
} as const
