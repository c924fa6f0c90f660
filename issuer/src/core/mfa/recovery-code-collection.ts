// A user's single-use recovery codes: `mfa_recovery_codes` / `mfa-recovery-code:<userId>:<hash>`.
// Only each code's SHA-256 is kept; using one is a compare-and-set on `usedAt` (once, also when
// two requests race).
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

export interface RecoveryCodeRecord {
  userId: string
  /** SHA-256 (hex) of the normalised code. */
  hash: string
  createdAt: number
  usedAt: number | null
}

export const RECOVERY_CODES = defineCollection<RecoveryCodeRecord>({
  name: 'mfa_recovery_codes',
  redisKey: 'mfa-recovery-code',
  key: ['userId', 'hash'],
  indexes: ['userId'],
  fields: {
    userId: f.text(),
    hash: f.text(),
    createdAt: f.int(),
    usedAt: f.int({ nullable: true }),
  },
})
