// The decision part of the rotation step (docs/issuer.md, "Refresh rotation"), shared by the SQL
// stores so that SQLite and PostgreSQL cannot drift apart (the Redis ROTATE script mirrors it in
// Lua). The caller reads the state inside its transaction, asks for a plan, and carries it out in
// the same transaction. Plans are named after the RotateResult they lead to.
import type { InvalidReason, RotateInput } from '../store.ts'

export interface RotationState {
  session: { revokedAt: number | null; absoluteExpiresAt: number; clientId: string; publicClient: boolean }
  /** The session's user; null when the user row is gone. */
  user: { disabled: boolean } | null
  token: {
    idleExpiresAt: number
    consumedAt: number | null
    successorSealed: string | null
    /** Null when the successor row is gone (or was never recorded). */
    successorConsumedAt: number | null
    successorExists: boolean
  }
}

export type RotationPlan =
  /** Nothing to write, except for `user_disabled`: then the session is revoked with that reason.
   *  In particular `client_mismatch` writes nothing. */
  | { kind: 'invalid'; reason: InvalidReason }
  /** Consume the token, record the successor with this idle expiry, touch the session. */
  | { kind: 'rotated'; successorIdleExpiresAt: number }
  /** Nothing to write: hand back the successor already recorded. */
  | { kind: 'replayed'; sealedSuccessor: string }
  /** Revoke the session with the reason 'reuse_detected'. */
  | { kind: 'reuse_detected' }

export function planRotation(state: RotationState, input: RotateInput): RotationPlan {
  const { session, user, token } = state
  const { now, graceMs } = input
  // A revoked or expired session answers as such even for a consumed token: the session is
  // already dead, so there is nothing left to revoke, and the HTTP layer maps both to 401.
  if (session.revokedAt !== null) return { kind: 'invalid', reason: 'revoked' }
  if (now >= session.absoluteExpiresAt) return { kind: 'invalid', reason: 'session_expired' }
  // The idle check comes before the consumed branch, so a consumed token presented after its own
  // idle expiry is 'idle_expired', not reuse (its session lives on).
  if (now >= token.idleExpiresAt) return { kind: 'invalid', reason: 'idle_expired' }
  // Before anything that consumes or revokes: a client that is not the session's (or no client,
  // for a confidential client's session) must not be able to end it by presenting its token.
  if (!clientMayPresent(session, input.clientId)) return { kind: 'invalid', reason: 'client_mismatch' }
  // Only a token that would be honoured asks about the user: reuse stays reuse whoever holds it.
  const userLive = user !== null && !user.disabled
  if (token.consumedAt === null) {
    if (!userLive) return { kind: 'invalid', reason: 'user_disabled' }
    // Rotation never extends the session's absolute lifetime.
    return {
      kind: 'rotated',
      successorIdleExpiresAt: Math.min(input.successor.idleExpiresAt, session.absoluteExpiresAt),
    }
  }
  const withinGrace = graceMs > 0 && now - token.consumedAt <= graceMs
  // Only the newest consumed token may be retried: if its successor was itself consumed, the
  // presented token is an older generation and coming back means someone else holds it.
  const newestConsumed = token.successorExists && token.successorConsumedAt === null
  if (withinGrace && newestConsumed && token.successorSealed !== null) {
    if (!userLive) return { kind: 'invalid', reason: 'user_disabled' }
    return { kind: 'replayed', sealedSuccessor: token.successorSealed }
  }
  return { kind: 'reuse_detected' }
}

/** The client named in the rotation is the session's; with none, the session must be a public client's. */
function clientMayPresent(session: RotationState['session'], clientId: string | null): boolean {
  return clientId === null ? session.publicClient : session.clientId === clientId
}
