import { OTP_AMR } from '../authorization/acr-values.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { LoginStep } from '../login/login-step.ts'
import type { Store } from '../store.ts'
import { USERS } from '../users/user-collection.ts'
import { hashRecoveryCode } from './recovery-code.ts'
import { RECOVERY_CODES } from './recovery-code-collection.ts'
import type { SecretBox } from './secret-box.ts'
import { wrongCode } from './wrong-code.ts'

/**
 * The second step by a recovery code: used once, by a compare-and-set on `usedAt`, so of two
 * requests racing with one code exactly one passes. Looked up by its keyed digest (no comparison
 * of secrets in this process). RFC 8176 has no value for it: it is a one-time code, `otp`.
 */
export function createRecoveryCodeStep(deps: {
  store: Pick<Store, 'records'>
  box: Pick<SecretBox, 'digest'>
  clock: Clock
  logger: Logger
}): LoginStep<{ userId: string; code: string }> {
  const { store, clock } = deps
  return {
    id: 'recovery_code',
    amr: OTP_AMR,
    async check({ userId, code }) {
      const hash = hashRecoveryCode(code, deps.box, userId)
      if (hash === null) throw wrongCode()
      const user = await store.records.get(USERS, { id: userId })
      if (user === null || user.disabled) throw wrongCode()
      const used = await store.records.update(
        RECOVERY_CODES,
        { userId, hash },
        { usedAt: clock() },
        { usedAt: null },
      )
      if (used === null) throw wrongCode()
      deps.logger.info('recovery_code_used', { userId })
      return user
    },
  }
}
