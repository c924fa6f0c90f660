// Authorization codes (RFC 6749 §4.1.2 with RFC 7636): one-time, kept only as SHA-256 hashes,
// in the `authorization_codes` table / `auth-code:<hash>` hashes. Redeemed by the store's
// redeem-once step, which starts the session in the same step.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

/** The names of the claims a `claims` request parameter asked for, per place of release. */
export interface RequestedClaims {
  idToken: string[]
  userinfo: string[]
}

/** An authorization code as issued by `/oauth/authorize`: bound to its client, redirect and PKCE challenge. */
export interface AuthorizationCodeRecord {
  /** SHA-256 (hex) of the code. */
  hash: string
  clientId: string
  userId: string
  /** The exact `redirect_uri` of the authorization request (RFC 6749 §4.1.3). */
  redirectUri: string
  /**
   * The S256 `code_challenge` (RFC 7636 §4.2), base64url; null when the request sent none (a
   * confidential client's OpenID Connect request, docs/oidc.md "PKCE"): then a `code_verifier`
   * at the token endpoint is refused (RFC 9700 §2.1.1, PKCE downgrade).
   */
  codeChallenge: string | null
  scope: string[]
  /** Claims asked for with the `claims` request parameter (OpenID Connect Core §5.5); null when none. */
  claims: RequestedClaims | null
  /** The OpenID Connect `nonce`, echoed into the ID token. */
  nonce: string | null
  /** The login session the user authenticated in (the ID token's `sid`). */
  loginSessionId: string
  /** When the user last passed a login step in that login session (`auth_time`). */
  authTime: number
  /** The `amr` of that login session's steps, for the ID token. */
  amr: string[]
  /**
   * The `acr` classes the request asked for (`acr_values`, a `claims` request for `acr`: OpenID
   * Connect Core §3.1.2.1, §5.5.1.1), for authenticationOf; empty when none (codes from before too).
   */
  acrValues: string[]
  createdAt: number
  expiresAt: number
  /** When it was redeemed (null until then); the redemption step sets it with `sessionId`. */
  consumedAt: number | null
  /** The session its redemption started, to revoke on a replay (RFC 6749 §4.1.2). */
  sessionId: string | null
}

/** How long a code is kept past its expiry, so a replay still finds the session to revoke. */
export const CODE_REPLAY_MEMORY_MS = 24 * 60 * 60 * 1000

export const AUTHORIZATION_CODES = defineCollection<AuthorizationCodeRecord>({
  name: 'authorization_codes',
  redisKey: 'auth-code',
  key: ['hash'],
  expiry: { field: 'expiresAt', retainMs: CODE_REPLAY_MEMORY_MS },
  fields: {
    hash: f.text(),
    clientId: f.text(),
    userId: f.text(),
    redirectUri: f.text(),
    codeChallenge: f.text({ nullable: true }),
    scope: f.words(),
    claims: f.json({ nullable: true }),
    nonce: f.text({ nullable: true }),
    loginSessionId: f.text(),
    authTime: f.int(),
    amr: f.words(),
    acrValues: f.words(),
    createdAt: f.int(),
    expiresAt: f.int(),
    consumedAt: f.int({ nullable: true }),
    sessionId: f.text({ nullable: true }),
  },
})
