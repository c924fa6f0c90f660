// The session and token rows of the SQL stores and their mapping to records, shared so SQLite and
// PostgreSQL cannot drift apart. Instants are BIGINT: better-sqlite3 gives numbers, pg gives int8
// strings (and rotate_refresh's jsonb, JSON numbers); the codec reads each.
import type { RotationPlan, RotationState } from '../../core/rotation/plan-rotation.ts'
import type { SessionRecord } from '../../core/sessions/session-record.ts'
import type { RefreshTokenRecord, RotateResult } from '../../core/store.ts'
import { rolesOf, STORED_SESSION, STORED_TOKEN } from '../stored-session.ts'
import { recordFromRow } from './sql-columns.ts'
import type { SqlRow } from './sql-dialect.ts'

export type SqlInstant = number | string

export const sessionFromRow = (row: SqlRow): SessionRecord => recordFromRow(STORED_SESSION, row)
export const tokenFromRow = (row: SqlRow): RefreshTokenRecord => recordFromRow(STORED_TOKEN, row)

/** A session row as `rotate` reads it: joined with its user's row, null columns when the user is gone. */
export interface SessionUserRow extends SqlRow {
  id: string
  client_id: string
  last_used_at: SqlInstant
  absolute_expires_at: SqlInstant
  revoked_at: SqlInstant | null
  /** 0/1 in SQLite, boolean in PostgreSQL. */
  public_client: number | boolean
  user_roles: unknown
  user_disabled: number | boolean | null
}

/** SELECT list and join for a SessionUserRow (`s` the session table, `u` the users table). */
export const SESSION_USER_COLUMNS = 's.*, u.roles AS user_roles, u.disabled AS user_disabled'

const instantOrNull = (v: SqlInstant | null): number | null => (v === null ? null : Number(v))
const isTrue = (v: number | boolean): boolean => v === true || v === 1

/** What the rotation plan needs, read from the session and user rows and the token joined with its successor. */
export function rotationStateFromRows(
  session: SessionUserRow,
  token: {
    idle_expires_at: SqlInstant
    consumed_at: SqlInstant | null
    successor_sealed: string | null
    next_hash: string | null
    next_consumed_at: SqlInstant | null
  },
): RotationState {
  return {
    session: {
      revokedAt: instantOrNull(session.revoked_at),
      absoluteExpiresAt: Number(session.absolute_expires_at),
      clientId: session.client_id,
      publicClient: isTrue(session.public_client),
    },
    user: session.user_disabled === null ? null : { disabled: isTrue(session.user_disabled) },
    token: {
      idleExpiresAt: Number(token.idle_expires_at),
      consumedAt: instantOrNull(token.consumed_at),
      successorSealed: token.successor_sealed,
      successorExists: token.next_hash !== null,
      successorConsumedAt: instantOrNull(token.next_consumed_at),
    },
  }
}

/** A replay writes nothing: it answers straight from the rows already read. */
export function replayedResult(
  plan: Extract<RotationPlan, { kind: 'replayed' }>,
  session: SessionUserRow,
): RotateResult {
  return {
    kind: 'replayed',
    session: sessionFromRow(session),
    sealedSuccessor: plan.sealedSuccessor,
    roles: rolesOf(session.user_roles),
  }
}
