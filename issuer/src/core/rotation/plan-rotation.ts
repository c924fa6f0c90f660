// The decision part of DESIGN.md's rotation step, shared by the SQL stores so that SQLite and
// PostgreSQL cannot drift apart (the Redis store mirrors it in Lua). The caller reads the state
// inside its transaction, asks for a plan, and carries it out in the same transaction.
import type { InvalidReason, RotateInput } from '../store.ts'

export interface RotationState {
  session: { revokedAt: number | null; absoluteExpiresAt: number }
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
  | { kind: 'invalid'; reason: InvalidReason }
  | { kind: 'consume'; successorIdleExpiresAt: number }
  | { kind: 'replay'; sealedSuccessor: string }
  | { kind: 'revoke' }

export function planRotation(state: RotationState, input: RotateInput): RotationPlan {
  const { session, token } = state
  const { now, graceMs } = input
  // A revoked or expired family answers as such even for a consumed token: the family is already
  // dead, so there is nothing left to revoke, and the HTTP layer maps both to 401.
  if (session.revokedAt !== null) return { kind: 'invalid', reason: 'revoked' }
  if (now >= session.absoluteExpiresAt) return { kind: 'invalid', reason: 'session_expired' }
  // DESIGN's order: the idle check comes before the consumed branch, so a consumed token presented
  // after its own idle expiry is 'idle_expired', not reuse (its family lives on).
  if (now >= token.idleExpiresAt) return { kind: 'invalid', reason: 'idle_expired' }
  if (token.consumedAt === null) {
    // Rotation never extends the family's absolute lifetime.
    return {
      kind: 'consume',
      successorIdleExpiresAt: Math.min(input.successor.idleExpiresAt, session.absoluteExpiresAt),
    }
  }
  const withinGrace = graceMs > 0 && now - token.consumedAt <= graceMs
  // Only the newest consumed token may be retried: if its successor was itself consumed, the
  // presented token is an older generation and coming back means someone else holds it.
  const newestConsumed = token.successorExists && token.successorConsumedAt === null
  if (withinGrace && newestConsumed && token.successorSealed !== null) {
    return { kind: 'replay', sealedSuccessor: token.successorSealed }
  }
  return { kind: 'revoke' }
}
