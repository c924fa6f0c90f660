/** What every verified tokensmith access token carries (RFC 9068 profile). */
interface AccessTokenClaimsBase {
  readonly iss: string
  readonly sub: string
  readonly aud: string | readonly string[]
  readonly exp: number
  readonly iat: number
  readonly nbf?: number
  readonly jti: string
  readonly client_id: string
  /**
   * Space-delimited OAuth scopes ('' for none). Always present in tokens of a current issuer;
   * absent from those of older issuers, which read as no scope.
   */
  readonly scope?: string
  /**
   * How the user authenticated (RFC 9068 section 2.2.1), in tokens of user sessions: the
   * authentication context class (tokensmith's are `urn:tokensmith:acr:password` <
   * `urn:tokensmith:acr:mfa` < `urn:tokensmith:acr:phishing-resistant`).
   */
  readonly acr?: string
  /** The methods used, RFC 8176 values (`pwd`, `otp`, `hwk`, `swk`, `user`, `mfa`). */
  readonly amr?: readonly string[]
  /** When the user authenticated, seconds since the epoch (the claim as issued). */
  readonly auth_time?: number
  /** `auth_time`, under a JavaScript name; set by `verify()` from that claim only. */
  readonly authTime?: number
  readonly [claim: string]: unknown
}

/** A user's token: issued from a session (`sid`, the refresh-token family), with the user's roles. */
export interface UserAccessTokenClaims extends AccessTokenClaimsBase {
  /** Session id: the refresh-token family the token was issued from. */
  readonly sid: string
  readonly roles: readonly string[]
}

/**
 * A service's token (client_credentials grant): `sub` is the `client_id`, there is no session and
 * no role. Scopes are what a service is granted.
 */
export interface ServiceAccessTokenClaims extends AccessTokenClaimsBase {
  readonly sid?: undefined
  /** Always empty: roles belong to users. */
  readonly roles: readonly string[]
}

/** The claims of a verified tokensmith access token, a user's or a service's. Frozen when returned. */
export type AccessTokenClaims = UserAccessTokenClaims | ServiceAccessTokenClaims
