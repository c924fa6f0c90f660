// The issuer's storage contract, in two kinds of port. `records`: generic collections (users,
// clients, consents, login sessions, codes, and whatever a feature declares next), implemented
// once for SQL and once for Redis. The rest: the named atomic steps, each written per backend with
// its guarantee stated here and proved by the conformance suites in `testing/`: in particular
// `rotate` consumes a refresh token and records its successor in one operation, so two concurrent
// refreshes with one token can never both succeed.
// All instants are milliseconds since the epoch, passed in by the caller (no clock in here).
// Failures of the store itself (disk full, connection lost) are raised as
// StoreError('unavailable'), whatever the driver, with the driver's error as `cause`.

import type { Collection, RecordKey } from './records/collection.ts'
import type { Records } from './records/records.ts'
import type { Redeemable, RedeemResult } from './records/redeemable.ts'
import type { RevocationStore } from './revocations/revocation-store.ts'
import type { NewSession, SessionRecord } from './sessions/session-record.ts'

export interface RefreshTokenRecord {
  hash: string
  sessionId: string
  generation: number
  createdAt: number
  idleExpiresAt: number
  consumedAt: number | null
}

export interface RotateInput {
  /** SHA-256 (hex) of the presented refresh token. */
  tokenHash: string
  now: number
  /**
   * The client presenting the token: the session must be that client's. Null for a surface
   * without client authentication (`/auth/refresh`): the session must then be a public client's.
   */
  clientId: string | null
  /** Grace window for an idempotent retry; 0 disables it. */
  graceMs: number
  /** The successor the caller prepared; used only when the presented token is live. */
  successor: {
    hash: string
    idleExpiresAt: number
    /** The successor token sealed (AES-GCM) under a key derived from the presented token. */
    sealed: string
  }
}

/**
 * `user_disabled`: the session's user is disabled or gone; the store ended the session.
 * `client_mismatch`: the token is not the presenting client's (see RotateInput.clientId); nothing
 * was consumed or revoked, so a wrong client cannot end someone else's session.
 */
export type InvalidReason =
  | 'unknown'
  | 'revoked'
  | 'session_expired'
  | 'idle_expired'
  | 'user_disabled'
  | 'client_mismatch'

/**
 * What a rotation did. `rotated` and `replayed` carry the roles of the session's user, read in
 * the same atomic step: a user found disabled or missing there answers `invalid`/`user_disabled`
 * instead, with the presented token left unconsumed and the session revoked.
 */
export type RotateResult =
  /** The presented token was live: it is now consumed and `successor` is the new live token. */
  | { kind: 'rotated'; session: SessionRecord; generation: number; roles: string[] }
  /** A retry within the grace window: the same successor, still sealed, is handed back. */
  | { kind: 'replayed'; session: SessionRecord; sealedSuccessor: string; roles: string[] }
  | { kind: 'invalid'; reason: InvalidReason }
  /** A consumed token came back outside the grace window: the whole session is now revoked. */
  | { kind: 'reuse_detected'; session: SessionRecord }

export interface CounterState {
  count: number
  /** When the current fixed window ends. */
  resetAt: number
}

export interface Store extends RevocationStore {
  /** Applies pending migrations and lays out the declared collections; idempotent, safe to call
   *  from several processes. */
  migrate(): Promise<void>
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>
  close(): Promise<void>

  /** The generic collections (core/records/records.ts). */
  records: Records

  /** Creates the session and its first refresh token in one step. */
  createSession(session: NewSession): Promise<SessionRecord>
  getSession(id: string): Promise<SessionRecord | null>
  findToken(tokenHash: string): Promise<RefreshTokenRecord | null>
  /** The whole rotation step (docs/issuer.md, "Refresh rotation"), atomically. */
  rotate(input: RotateInput): Promise<RotateResult>
  /** Returns true when the session was live and is now revoked; then, in the same step, writes
   *  its `session` revocation entry. */
  revokeSession(sessionId: string, reason: string, now: number): Promise<boolean>
  /** Revokes every live session of the user; returns how many. Always writes, in the same step,
   *  a `user` revocation entry at `now` (tokens outlive the sessions that issued them). */
  revokeUserSessions(userId: string, reason: string, now: number): Promise<number>
  /** Live (not revoked, not past absolute lifetime, with a live token) sessions of a user. */
  listSessions(userId: string, now: number): Promise<SessionRecord[]>
  /** Deletes sessions past their absolute lifetime (or revoked, or whose tokens all idled out)
   *  before `now`, their tokens, expired counters, remembered keys and revocation entries past
   *  their `until`, and the records of every collection past its expiry. Returns rows deleted. */
  purgeExpired(now: number): Promise<number>

  /**
   * Redeem once and start a session, atomically: when the record is unconsumed and `now` is before
   * its `expiresAt`, marks it consumed into `session` and creates that session (linked to the
   * record's login session, if it names one); when already consumed, answers the session it
   * started. Two concurrent redemptions of one record never both answer `redeemed`.
   */
  redeemOnce<R extends Redeemable>(
    c: Collection<R>,
    key: RecordKey<R>,
    now: number,
    session: NewSession,
  ): Promise<RedeemResult>
  /**
   * Ends the login session (sets `endedAt` and its idle expiry to `now`); answers the ids of the
   * sessions (refresh-token families) redemptions started in it, live or not, for the caller to
   * revoke. Ending twice answers them again.
   */
  endLoginSession(id: string, now: number): Promise<string[]>
  /**
   * Remembers `key` until `until` and answers true, or answers false when it is already
   * remembered and not yet past its `until`: atomic across instances (one use of a client
   * assertion's `jti`, RFC 7523 §3). Purge forgets what has passed.
   */
  rememberOnce(key: string, until: number, now: number): Promise<boolean>

  /**
   * Fixed-window counters: counts one hit on each key, atomically across instances, in one step,
   * and answers their states in the keys' order. A key whose window has ended (`resetAt <= now`)
   * starts a new one of `windowMs`. The keys must be distinct.
   */
  hitCounters(keys: readonly string[], now: number, windowMs: number): Promise<CounterState[]>
  /**
   * Settles counters in one atomic step: each `reset` key is removed (its next hit starts a new
   * window); each `release` key takes back one hit, never below zero (an attempt counted up front
   * that turned out not to be a failure). Unknown keys are left alone; all keys must be distinct.
   */
  settleCounters(settle: { reset: readonly string[]; release: readonly string[] }): Promise<void>
}
