import { PASSKEYS, type PasskeyRecord } from '../passkeys/passkey-collection.ts'
import { listAll } from '../records/list-all.ts'
import type { Records } from '../records/records.ts'
import { RECOVERY_CODES } from './recovery-code-collection.ts'
import { TOTP_FACTORS, type TotpRecord } from './totp-collection.ts'

/** A user's second factors as stored: the TOTP record (pending or confirmed), passkeys, unused recovery codes. */
export interface FactorList {
  totp: TotpRecord | null
  passkeys: PasskeyRecord[]
  recoveryCodesLeft: number
}

/** Reads the three collections at once (one round trip of latency on the server stores). */
export async function listFactors(records: Records, userId: string): Promise<FactorList> {
  const byUser = { where: { field: 'userId' as const, value: userId } }
  const [totp, passkeys, codes] = await Promise.all([
    records.get(TOTP_FACTORS, { userId }),
    listAll(records, PASSKEYS, byUser),
    listAll(records, RECOVERY_CODES, byUser),
  ])
  return { totp, passkeys, recoveryCodesLeft: codes.filter((c) => c.usedAt === null).length }
}
