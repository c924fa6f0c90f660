// A rotation's answer as the server-side steps send it back (PostgreSQL's rotate_refresh row, the
// Redis script's reply): its kind, a detail (the invalid reason, or the sealed successor of a
// replay), the generation of a rotation, the session and the user's roles. Anything else is a bug.
import type { SessionRecord } from '../core/sessions/session-record.ts'
import type { InvalidReason, RotateResult } from '../core/store.ts'
import { rolesOf } from './stored-session.ts'

const INVALID_REASONS: ReadonlySet<unknown> = new Set<InvalidReason>([
  'unknown',
  'revoked',
  'session_expired',
  'idle_expired',
  'user_disabled',
  'client_mismatch',
])

export interface RotateReply {
  kind: unknown
  detail: unknown
  generation: unknown
  /** The session, asked only of the outcomes that carry one. */
  session: () => SessionRecord
  roles: unknown
}

/** The RotateResult `reply` stands for; `from` names the step in errors. */
export function rotateResultOf(reply: RotateReply, from: string): RotateResult {
  const unexpected = (what: string) => new Error(`${from} answered ${what}`)
  switch (reply.kind) {
    case 'invalid':
      if (!INVALID_REASONS.has(reply.detail)) throw unexpected('an unknown invalid reason')
      return { kind: 'invalid', reason: reply.detail as InvalidReason }
    case 'rotated':
      return {
        kind: 'rotated',
        session: reply.session(),
        generation: Number(reply.generation),
        roles: rolesOf(reply.roles),
      }
    case 'replayed':
      if (typeof reply.detail !== 'string') throw unexpected('a replay without its successor')
      return {
        kind: 'replayed',
        session: reply.session(),
        sealedSuccessor: reply.detail,
        roles: rolesOf(reply.roles),
      }
    case 'reuse_detected':
      return { kind: 'reuse_detected', session: reply.session() }
    default:
      throw unexpected('an unknown outcome')
  }
}
