// The part of the store port behind the authorization code flow (RFC 6749 §4.1 with RFC 7636)
// and OpenID Connect: one-time codes, the browser's login session at the issuer (single
// sign-on), and remembered consent. Every store implements it; the conformance suite checks it.
// Secrets (the code, the login-session cookie) are kept only as SHA-256 hashes.

import type { NewSession, SessionRecord } from '../sessions/session-record.ts'

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
  /** When the user last entered their password in that login session (`auth_time`). */
  authTime: number
  createdAt: number
  expiresAt: number
}

/**
 * What redeeming a code did. `redeemed`: the code is now consumed and `session` started in the
 * same step. `replayed`: the code was already used; `sessionId` is the session it started, for
 * the caller to revoke (RFC 6749 §4.1.2). `invalid`: unknown or expired; nothing changed.
 */
export type RedeemCodeResult =
  | { kind: 'redeemed'; session: SessionRecord }
  | { kind: 'replayed'; sessionId: string }
  | { kind: 'invalid' }

/** The names of the claims a `claims` request parameter asked for, per place of release. */
export interface RequestedClaims {
  idToken: string[]
  userinfo: string[]
}

/** The browser's login session at the issuer, named by an httpOnly cookie. */
export interface LoginSessionRecord {
  /** Public id: the OpenID Connect `sid`; not the cookie's secret. */
  id: string
  /** SHA-256 (hex) of the cookie's secret value. */
  secretHash: string
  userId: string
  /** When the user last entered their password here (OIDC `auth_time`). */
  authTime: number
  createdAt: number
  lastSeenAt: number
  idleExpiresAt: number
  absoluteExpiresAt: number
  endedAt: number | null
}

/** Consent a user gave a client for some scopes (remembered until revoked). */
export interface ConsentRecord {
  userId: string
  clientId: string
  scope: string[]
  grantedAt: number
}

export interface AuthorizationStore {
  /** Stores a new code. Throws StoreConflictError('authorization code') on a hash collision. */
  createAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>
  /** The code by hash, consumed or not (for checking its bindings before redeeming); null when unknown. */
  findAuthorizationCode(hash: string): Promise<AuthorizationCodeRecord | null>
  /**
   * Atomically: when the code is unconsumed and `now` is before its expiry, marks it consumed
   * and creates `session` (linked to the code's login session); when already consumed, answers
   * the session it started. Two concurrent redeems of one code never both answer `redeemed`.
   */
  redeemAuthorizationCode(hash: string, now: number, session: NewSession): Promise<RedeemCodeResult>

  createLoginSession(session: LoginSessionRecord): Promise<void>
  /** The live login session whose cookie secret hashes to `secretHash`: not ended, not past
   *  either expiry at `now`; null otherwise. */
  findLoginSession(secretHash: string, now: number): Promise<LoginSessionRecord | null>
  getLoginSession(id: string): Promise<LoginSessionRecord | null>
  /** Slides the idle expiry of a live login session (never past its absolute expiry). */
  touchLoginSession(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<void>
  /**
   * Ends the login session; answers the ids of the sessions (refresh-token families) that
   * codes of it started, live or not, for the caller to revoke. Ending twice answers them again.
   */
  endLoginSession(id: string, now: number): Promise<string[]>

  getConsent(userId: string, clientId: string): Promise<ConsentRecord | null>
  /** Creates or replaces the user's consent for the client. */
  saveConsent(consent: ConsentRecord): Promise<void>
  listConsents(userId: string): Promise<ConsentRecord[]>
  /** Returns true when a consent was removed. */
  revokeConsent(userId: string, clientId: string): Promise<boolean>
}
