/** What a login or a refresh yields, whichever API answered it. */
export interface TokenSet {
  readonly accessToken: string
  /** Absent from a refresh answer that keeps the refresh token (RFC 6749 section 6), and for services. */
  readonly refreshToken: string | undefined
  readonly expiresInSec: number
}
