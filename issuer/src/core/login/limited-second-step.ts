import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Records } from '../records/records.ts'
import { USERS } from '../users/user-collection.ts'
import type { LoginLimiter } from './create-login-limiter.ts'
import type { LoginStep } from './login-step.ts'

/**
 * A second step of the hosted pages under the password's login limiter: a wrong code counts as a
 * failed login of the account and of the address (so guessing codes is as slow as guessing
 * passwords), a right one settles the counters the password left. `/auth/login/mfa` does the same
 * inline (create-login.ts).
 */
export function limitedSecondStep<I extends { userId: string; clientIp?: string | null }>(
  step: LoginStep<I>,
  deps: { records: Records; limiter: LoginLimiter; clock: Clock; logger: Logger },
): LoginStep<I> {
  return {
    id: step.id,
    amr: step.amr,
    async check(input) {
      const user = await deps.records.get(USERS, { id: input.userId })
      const account = user?.username ?? input.userId
      const address = input.clientIp ?? null
      const attempt = await deps.limiter.attempt(account, address, deps.clock())
      try {
        const passed = await step.check(input)
        await deps.limiter.succeeded(account, address)
        return passed
      } catch (err) {
        if (attempt.lastForAccount) {
          deps.logger.security('login_lockout', { scope: 'account', userId: input.userId, clientIp: address })
        }
        if (attempt.lastForAddress)
          deps.logger.security('login_lockout', { scope: 'address', clientIp: address })
        deps.logger.info('login_failed', { userId: input.userId, step: step.id, clientIp: address })
        throw err
      }
    },
  }
}
