// A session (the refresh-token family of docs/issuer.md) as the store keeps it, and what starts one.

/** A session starts at login and holds its chain of refresh tokens (the "family" of docs/issuer.md). */
export interface SessionRecord {
  id: string
  userId: string
  clientId: string
  createdAt: number
  lastUsedAt: number
  absoluteExpiresAt: number
  revokedAt: number | null
  revokedReason: string | null
  clientIp: string | null
  userAgent: string | null
  /** The scope granted to the session (RFC 6749 §3.3); its refreshes may narrow it, never widen it. */
  scope: string[]
  /** Whether the session's client is a public one: only then may a refresh come without a client. */
  publicClient: boolean
  /**
   * Claims the client asked for with the `claims` request parameter for the userinfo endpoint
   * (OpenID Connect Core §5.5), released there beside those of the scope; empty for most sessions.
   */
  claims: string[]
  /**
   * The RFC 8176 `amr` values of the login that started the session, for its access tokens (RFC
   * 9068 §2.2.1). Empty for sessions stored before logins recorded them: read as a password
   * (authenticationOf in core/authorization/acr-values.ts).
   */
  amr: string[]
  /** The `acr` (OpenID Connect Core §2) that login met; null for sessions stored before it was kept. */
  acr: string | null
  /** When the user authenticated (ms, the tokens' `auth_time`); null before it was kept: use createdAt. */
  authTime: number | null
}

export interface NewSession {
  id: string
  userId: string
  clientId: string
  createdAt: number
  absoluteExpiresAt: number
  clientIp: string | null
  userAgent: string | null
  scope: string[]
  publicClient: boolean
  /** See SessionRecord.claims; none when absent. */
  claims?: string[]
  /** See SessionRecord.amr, .acr and .authTime; absent reads as a session from before them. */
  amr?: string[]
  acr?: string | null
  authTime?: number | null
  /** SHA-256 (hex) of the first refresh token of the session. */
  tokenHash: string
  /** Idle expiry of that first token. */
  idleExpiresAt: number
}
