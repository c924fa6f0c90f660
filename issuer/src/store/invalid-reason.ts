// The reasons a store may give for an invalid rotation, for the adapters whose answer comes back
// as text (the Redis script's reply, PostgreSQL's rotate_refresh row): anything else is a bug.
import type { InvalidReason } from '../core/store.ts'

const INVALID_REASONS: ReadonlySet<string> = new Set<InvalidReason>([
  'unknown',
  'revoked',
  'session_expired',
  'idle_expired',
  'user_disabled',
  'client_mismatch',
])

export function isInvalidReason(value: unknown): value is InvalidReason {
  return typeof value === 'string' && INVALID_REASONS.has(value)
}
