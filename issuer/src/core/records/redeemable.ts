import type { SessionRecord } from '../sessions/session-record.ts'

/**
 * A one-time record the store's redeem-once step consumes while it starts a session (an
 * authorization code today; device codes and upstream login callbacks later): it expires, it
 * remembers when and into which session it was redeemed, and it may name the login session the
 * new session belongs to (so ending that login session ends it too).
 */
export interface Redeemable {
  expiresAt: number
  consumedAt: number | null
  sessionId: string | null
  loginSessionId?: string | null
}

/**
 * What a redemption did. `redeemed`: the record is now consumed and `session` started in the same
 * step. `replayed`: it was already used; `sessionId` is the session it started, for the caller to
 * revoke (RFC 6749 §4.1.2). `invalid`: unknown or expired; nothing changed.
 */
export type RedeemResult =
  | { kind: 'redeemed'; session: SessionRecord }
  | { kind: 'replayed'; sessionId: string }
  | { kind: 'invalid' }
