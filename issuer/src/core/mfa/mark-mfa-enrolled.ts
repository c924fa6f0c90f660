import type { Records } from '../records/records.ts'
import { USERS } from '../users/user-collection.ts'

/**
 * Flags the user as one a password login must look up second factors for. Called BEFORE a factor
 * (TOTP, recovery codes, a passkey) is stored, and never undone: a user whose flag is false has
 * no factor, whatever the timing of concurrent changes. Written without a guard: a user stored
 * before the flag existed has none (Redis) or false (SQL), and must be flagged all the same.
 */
export async function markMfaEnrolled(records: Records, userId: string): Promise<void> {
  await records.update(USERS, { id: userId }, { mfaEnrolled: true })
}
