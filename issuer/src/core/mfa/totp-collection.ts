// A user's TOTP authenticator (RFC 6238): `mfa_totp` / `mfa-totp:<userId>`, one per user. The
// shared secret is kept sealed (AES-256-GCM, core/mfa), never in the clear.
import { defineCollection } from '../records/collection.ts'
import { f } from '../records/field-spec.ts'

export interface TotpRecord {
  userId: string
  /** The base32 secret, sealed with the MFA encryption key. */
  sealedSecret: string
  /** When the first code confirmed the enrolment; null while it is pending (not yet a factor). */
  confirmedAt: number | null
  createdAt: number
}

export const TOTP_FACTORS = defineCollection<TotpRecord>({
  name: 'mfa_totp',
  redisKey: 'mfa-totp',
  key: ['userId'],
  fields: {
    userId: f.text(),
    sealedSecret: f.text(),
    confirmedAt: f.int({ nullable: true }),
    createdAt: f.int(),
  },
})
