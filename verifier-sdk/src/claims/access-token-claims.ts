/** The claims of a verified tokensmith access token (RFC 9068 profile). Frozen when returned. */
export interface AccessTokenClaims {
  readonly iss: string
  readonly sub: string
  readonly aud: string | readonly string[]
  readonly exp: number
  readonly iat: number
  readonly nbf?: number
  readonly jti: string
  readonly client_id: string
  /** Session id: the refresh-token family the token was issued from. */
  readonly sid: string
  readonly roles: readonly string[]
  /** Space-delimited OAuth scopes, when the issuer grants any. */
  readonly scope?: string
  readonly [claim: string]: unknown
}
