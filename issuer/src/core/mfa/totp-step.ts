import { OTP_AMR } from '../authorization/acr-values.ts'
import type { Clock } from '../clock.ts'
import type { LoginStep } from '../login/login-step.ts'
import type { Store } from '../store.ts'
import { USERS } from '../users/user-collection.ts'
import type { SecretBox } from './secret-box.ts'
import { matchTotpStep, TOTP_PERIOD_SEC } from './totp-code.ts'
import { TOTP_FACTORS } from './totp-collection.ts'
import { wrongCode } from './wrong-code.ts'

/**
 * The second step by a code from the authenticator app (RFC 6238). A code is good once: its time
 * step is remembered in the store (atomic on every backend) until it can no longer match, so the
 * same code again, or two requests racing with it, pass once.
 */
export function createTotpStep(deps: {
  store: Pick<Store, 'records' | 'rememberOnce'>
  box: SecretBox
  clock: Clock
}): LoginStep<{ userId: string; code: string }> {
  const { store, box, clock } = deps
  return {
    id: 'otp',
    amr: OTP_AMR,
    async check({ userId, code }) {
      const now = clock()
      const [user, totp] = await Promise.all([
        store.records.get(USERS, { id: userId }),
        store.records.get(TOTP_FACTORS, { userId }),
      ])
      if (user === null || user.disabled || totp === null || totp.confirmedAt === null) throw wrongCode()
      const step = await matchTotpStep(box.open(totp.sealedSecret, userId), code, now)
      if (step === null) throw wrongCode()
      // Step T matches until step T+1 ends; remembered a step longer for clock skew between instances.
      const until = (step + 3) * TOTP_PERIOD_SEC * 1000
      if (!(await store.rememberOnce(`totp:${userId}:${step}`, until, now))) throw wrongCode()
      return user
    },
  }
}
