// How a refresh request carries its token and where the answer holds the successor, for the two
// surfaces that rotate one: the JSON API (`/auth/refresh`) and the token endpoint's
// refresh_token grant (`/oauth/token`, RFC 6749 §6). The load generators build bodies from it.
export interface RefreshWire {
  path: string
  contentType: string
  /** The request body is `before + token + after`; tokens are base64url, safe in both encodings. */
  before: string
  after: string
  /** The JSON field of a 200 answer that holds the successor. */
  successorField: string
}

export const AUTH_REFRESH: RefreshWire = {
  path: '/auth/refresh',
  contentType: 'application/json',
  before: '{"refreshToken":"',
  after: '"}',
  successorField: 'refreshToken',
}

/** The default public client's tokens (the pool logs in at /auth/login), so no client secret. */
export const OAUTH_REFRESH: RefreshWire = {
  path: '/oauth/token',
  contentType: 'application/x-www-form-urlencoded',
  before: 'grant_type=refresh_token&client_id=default&refresh_token=',
  after: '',
  successorField: 'refresh_token',
}
