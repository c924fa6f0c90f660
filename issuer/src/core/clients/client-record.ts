// A registered client (RFC 6749 §2): every token the issuer signs belongs to one. Public clients
// (browsers, mobile apps, CLIs) cannot keep a secret and authenticate with their id alone;
// confidential clients (services) hold a generated secret, kept here only as its hash, or a key
// pair whose public JWKS is registered (`private_key_jwt`, RFC 7523).

export type ClientType = 'public' | 'confidential'

/** The grants of RFC 6749 this issuer speaks. */
export type GrantType = 'authorization_code' | 'password' | 'refresh_token' | 'client_credentials'
export const GRANT_TYPES: readonly GrantType[] = [
  'authorization_code',
  'password',
  'refresh_token',
  'client_credentials',
]

/**
 * When `/oauth/authorize` requires PKCE of a confidential client (public clients: always).
 * `openid-optional`: required unless the request has the `openid` scope, whose code is bound by
 * client authentication and `nonce` (RFC 9700 §2.1.1, OpenID Connect Core §3.1.2.1).
 * `required`: always. Whatever the policy, a challenge once sent is enforced.
 */
export type PkcePolicy = 'required' | 'openid-optional'
export const PKCE_POLICIES: readonly PkcePolicy[] = ['required', 'openid-optional']

export interface ClientRecord {
  /** The `client_id`: 1..128 of [A-Za-z0-9._~-]. */
  id: string
  name: string
  type: ClientType
  grants: GrantType[]
  /** Scopes the client may ask for (RFC 6749 §3.3). */
  scopes: string[]
  /** Audiences its access tokens may carry; empty means the issuer's AUDIENCE. */
  audiences: string[]
  /** A first-party client belongs to the issuer's operator (the password grant needs one). */
  firstParty: boolean
  /** Shortens the issuer's ACCESS_TOKEN_TTL for this client's tokens; null keeps it. */
  accessTokenTtlSec: number | null
  /** SHA-256 (hex) of the client secret; null when the client has none. */
  secretHash: string | null
  /** The secret replaced by `clients rotate-secret`, accepted until `previousSecretExpiresAt`. */
  previousSecretHash: string | null
  previousSecretExpiresAt: number | null
  /** Registered public keys for `private_key_jwt`: an inline JWKS or its https URL. */
  jwks: { keys: Record<string, unknown>[] } | null
  jwksUri: string | null
  /** Where `/oauth/authorize` may send the browser back: exact strings (RFC 6749 §3.1.2; loopback
   *  ports are free for native clients, RFC 8252 §7.3). */
  redirectUris: string[]
  /** Where RP-initiated logout may send the browser (OpenID Connect RP-Initiated Logout 1.0 §3). */
  postLogoutRedirectUris: string[]
  /** See PkcePolicy; a public client is held to `required` whatever this says. */
  pkce: PkcePolicy
  /**
   * Browser origins (`https://app.example.com`) allowed to call the token, revocation and userinfo
   * endpoints with CORS, beside those of a public client's https and loopback redirect URIs.
   */
  webOrigins: string[]
  /** Its users must have a second factor (`clients add|update --require-mfa`). */
  requireMfa: boolean
  disabled: boolean
  createdAt: number
  updatedAt: number
}

export type ClientPatch = Partial<
  Pick<
    ClientRecord,
    | 'name'
    | 'grants'
    | 'scopes'
    | 'audiences'
    | 'firstParty'
    | 'accessTokenTtlSec'
    | 'secretHash'
    | 'previousSecretHash'
    | 'previousSecretExpiresAt'
    | 'jwks'
    | 'jwksUri'
    | 'redirectUris'
    | 'postLogoutRedirectUris'
    | 'pkce'
    | 'webOrigins'
    | 'requireMfa'
    | 'disabled'
  >
> & { updatedAt: number }

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/
/** RFC 6749 §3.3 scope-token: printable ASCII without space, `"` or `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,128}$/

export function isClientId(value: string): boolean {
  return CLIENT_ID.test(value)
}

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value)
}

/** `default` and each CLIENT_IDS entry: public, first-party, password and refresh_token grants. */
export function firstPartyPublicClient(id: string, now: number): ClientRecord {
  return {
    id,
    name: id,
    type: 'public',
    grants: ['password', 'refresh_token'],
    scopes: [],
    audiences: [],
    firstParty: true,
    accessTokenTtlSec: null,
    secretHash: null,
    previousSecretHash: null,
    previousSecretExpiresAt: null,
    jwks: null,
    jwksUri: null,
    redirectUris: [],
    postLogoutRedirectUris: [],
    pkce: 'required',
    webOrigins: [],
    requireMfa: false,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  }
}
