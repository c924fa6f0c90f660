import type { Logger } from '../logger.ts'
import { endOtherSessions } from '../login/end-other-sessions.ts'
import { PASSKEYS } from '../passkeys/passkey-collection.ts'
import { listAll } from '../records/list-all.ts'
import type { Store } from '../store.ts'
import { RECOVERY_CODES } from './recovery-code-collection.ts'
import { TOTP_FACTORS } from './totp-collection.ts'

/**
 * The operator's reset (`pnpm users mfa <name> --reset`, a lost phone): removes the user's TOTP,
 * recovery codes and passkeys, ends every session of the user, and logs `mfa_reset` (counts only).
 */
export async function resetFactors(
  deps: {
    store: Pick<Store, 'records' | 'endLoginSession' | 'listSessions' | 'revokeSession'>
    logger: Logger
  },
  userId: string,
  now: number,
): Promise<{ removed: number; sessions: number }> {
  const { records } = deps.store
  const byUser = { where: { field: 'userId' as const, value: userId } }
  let removed = (await records.delete(TOTP_FACTORS, { userId })) ? 1 : 0
  for (const code of await listAll(records, RECOVERY_CODES, byUser)) {
    if (await records.delete(RECOVERY_CODES, { userId, hash: code.hash })) removed++
  }
  for (const passkey of await listAll(records, PASSKEYS, byUser)) {
    if (await records.delete(PASSKEYS, { id: passkey.id })) removed++
  }
  const sessions = await endOtherSessions(deps, userId, {}, 'mfa_reset', now)
  deps.logger.security('mfa_reset', { userId, removed, sessions })
  return { removed, sessions }
}
