// The row shapes of the SQL stores and their mapping to records, shared so SQLite and PostgreSQL
// cannot drift apart. Instants are BIGINT: better-sqlite3 gives numbers, pg gives int8 strings.
import type { RotationPlan, RotationState } from '../../core/rotation/plan-rotation.ts'
import type { SessionRecord } from '../../core/sessions/session-record.ts'
import type { RefreshTokenRecord, RotateResult } from '../../core/store.ts'
import { splitScope } from '../session-scope.ts'

export type SqlInstant = number | string

export interface SessionRow {
  id: string
  user_id: string
  client_id: string
  created_at: SqlInstant
  last_used_at: SqlInstant
  absolute_expires_at: SqlInstant
  revoked_at: SqlInstant | null
  revoked_reason: string | null
  client_ip: string | null
  user_agent: string | null
  /** Space-separated ('' for none). */
  scope: string
  /** 0/1 in SQLite, boolean in PostgreSQL. */
  public_client: number | boolean
  /** Claim names, space-separated as `scope` ('' for none). */
  claims: string
  /** The login's amr values, space-separated as `scope` ('' for none: a session from before them). */
  amr: string
  acr: string | null
  auth_time: SqlInstant | null
}

export interface TokenRow {
  hash: string
  session_id: string
  generation: number
  created_at: SqlInstant
  idle_expires_at: SqlInstant
  consumed_at: SqlInstant | null
}

export interface TokenStateRow extends TokenRow {
  successor_sealed: string | null
  next_hash: string | null
  next_consumed_at: SqlInstant | null
}

export function instantOrNull(v: SqlInstant | null): number | null {
  return v === null ? null : Number(v)
}

const isTrue = (v: number | boolean): boolean => v === true || v === 1

function rolesOf(value: unknown): string[] {
  const roles: unknown = typeof value === 'string' ? JSON.parse(value) : value
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) {
    throw new Error('users.roles is not a JSON array of strings')
  }
  return roles
}

export function sessionFromRow(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    clientId: row.client_id,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    absoluteExpiresAt: Number(row.absolute_expires_at),
    revokedAt: instantOrNull(row.revoked_at),
    revokedReason: row.revoked_reason,
    clientIp: row.client_ip,
    userAgent: row.user_agent,
    scope: splitScope(row.scope),
    publicClient: isTrue(row.public_client),
    claims: splitScope(row.claims),
    amr: splitScope(row.amr),
    acr: row.acr,
    authTime: instantOrNull(row.auth_time),
  }
}

export function tokenFromRow(row: TokenRow): RefreshTokenRecord {
  return {
    hash: row.hash,
    sessionId: row.session_id,
    generation: row.generation,
    createdAt: Number(row.created_at),
    idleExpiresAt: Number(row.idle_expires_at),
    consumedAt: instantOrNull(row.consumed_at),
  }
}

/** The session row as `rotate` reads it: joined with its user's row, null columns when the user is gone. */
export interface SessionUserRow extends SessionRow {
  user_roles: unknown
  user_disabled: number | boolean | null
}

/** SELECT list and join for a SessionUserRow (`s` the session table, `u` the users table). */
export const SESSION_USER_COLUMNS = 's.*, u.roles AS user_roles, u.disabled AS user_disabled'

/** What the rotation plan needs, read from the session and user rows and the token joined with its successor. */
export function rotationStateFromRows(
  session: SessionUserRow,
  token: Pick<
    TokenStateRow,
    'idle_expires_at' | 'consumed_at' | 'successor_sealed' | 'next_hash' | 'next_consumed_at'
  >,
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

/** The roles of the user of a SessionUserRow; only asked once the plan found the user live. */
export function userRolesOf(session: SessionUserRow): string[] {
  return rolesOf(session.user_roles)
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
    roles: userRolesOf(session),
  }
}
