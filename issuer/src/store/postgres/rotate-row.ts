// The row `rotate_refresh` (PostgreSQL migration 6) answers, and the RotateResult it stands for.
import type { RotateResult } from '../../core/store.ts'
import { isInvalidReason } from '../invalid-reason.ts'
import type { SqlRow } from '../sql/sql-dialect.ts'
import { sessionFromRow } from '../sql/sql-rows.ts'
import { rolesOf } from '../stored-session.ts'

export interface RotateRow extends SqlRow {
  out_kind: string
  /** The invalid reason, or the sealed successor of a replay. */
  out_detail: string | null
  out_generation: number | null
  /** The session row as jsonb (instants as JSON numbers). */
  out_session: SqlRow | null
  out_roles: unknown
}

export function rotateResultFromRow(row: RotateRow | undefined): RotateResult {
  if (row === undefined) throw new Error('rotate_refresh answered no row')
  const session = () => {
    if (row.out_session === null) throw new Error(`rotate_refresh answered ${row.out_kind} without a session`)
    return row.out_session
  }
  switch (row.out_kind) {
    case 'invalid':
      if (!isInvalidReason(row.out_detail))
        throw new Error('rotate_refresh answered an unknown invalid reason')
      return { kind: 'invalid', reason: row.out_detail }
    case 'rotated':
      return {
        kind: 'rotated',
        session: sessionFromRow(session()),
        generation: Number(row.out_generation),
        roles: rolesOf(row.out_roles),
      }
    case 'replayed':
      if (row.out_detail === null) throw new Error('rotate_refresh answered a replay without its successor')
      return {
        kind: 'replayed',
        session: sessionFromRow(session()),
        sealedSuccessor: row.out_detail,
        roles: rolesOf(row.out_roles),
      }
    case 'reuse_detected':
      return { kind: 'reuse_detected', session: sessionFromRow(session()) }
    default:
      throw new Error('rotate_refresh answered an unknown outcome')
  }
}
