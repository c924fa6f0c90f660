// What the HTTP surface reads of the issuer's configuration. The runtime's IssuerConfig has these
// fields and is passed as it is; http names its own slice so it depends on nothing of the runtime.

export interface HttpConfig {
  /** The issuer's URL: the `iss`, the base of every advertised endpoint, the account audience. */
  issuerUrl: string
  /** The bound of a request body (a hosted page's form gets at least 16 KiB). */
  maxBodyBytes: number
  /** Read the client address from X-Forwarded-For (only behind a trusted proxy). */
  trustProxy: boolean
  /** Origins allowed to use cookie-authenticated refresh and logout. */
  cookieOrigins: readonly string[]
  cookieSecure: boolean
  /** The refresh cookie's max-age. */
  refreshIdleTtlSec: number
  /** The first is the client of a token request without client authentication. */
  clientIds: readonly string[]
  /** The login session cookie's max-age. */
  loginSessionAbsoluteTtlSec: number
}
