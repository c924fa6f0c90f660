// Login attempts are limited per account and per client address, with counters in the store so
// that several issuer instances share the count.

import { IssuerError } from '../../errors.ts'
import type { CounterState, Store } from '../store.ts'

export interface LoginLimiterConfig {
  loginWindowSec: number
  loginMaxFailuresPerAccount: number
  loginMaxFailuresPerAddress: number
}

export interface LoginAttempt {
  /** This attempt took the account's last try in its window: if it fails, the account is locked. */
  lastForAccount: boolean
  /** Likewise for the client address. */
  lastForAddress: boolean
}

export interface LoginLimiter {
  /**
   * Counts one attempt for the account and the address, before the slow hash and atomically in
   * the store: parallel guesses then see the counter move one by one, instead of all passing a
   * check made before any of them had failed. Over either limit it throws `rate_limited` (with
   * `retryAfterSec`) and gives the hit back: a refused attempt does not extend the lockout.
   */
  attempt(account: string, address: string | null, now: number): Promise<LoginAttempt>
  /** A success is not a failure: the account starts afresh, the address gets its hit back. */
  succeeded(account: string, address: string | null): Promise<void>
}

export function createLoginLimiter(deps: {
  store: Pick<Store, 'hitCounters' | 'settleCounters'>
  config: LoginLimiterConfig
}): LoginLimiter {
  const { store, config } = deps
  const windowMs = config.loginWindowSec * 1000
  const accountKey = (account: string) => `login:account:${account}`
  const addressKey = (address: string | null) => `login:address:${address ?? 'unknown'}`

  return {
    async attempt(account, address, now) {
      // Both counters in one store step (one round trip on the server stores), as is the refund.
      const keys = [accountKey(account), addressKey(address)]
      const [forAccount, forAddress] = (await store.hitCounters(keys, now, windowMs)) as [
        CounterState,
        CounterState,
      ]
      const overAccount = forAccount.count > config.loginMaxFailuresPerAccount
      if (overAccount || forAddress.count > config.loginMaxFailuresPerAddress) {
        await store.settleCounters({ reset: [], release: keys })
        const limited = overAccount ? forAccount : forAddress
        throw new IssuerError('rate_limited', 'Too many failed login attempts. Try again later.', {
          retryAfterSec: Math.max(1, Math.ceil((limited.resetAt - now) / 1000)),
        })
      }
      return {
        lastForAccount: forAccount.count === config.loginMaxFailuresPerAccount,
        lastForAddress: forAddress.count === config.loginMaxFailuresPerAddress,
      }
    },

    async succeeded(account, address) {
      await store.settleCounters({ reset: [accountKey(account)], release: [addressKey(address)] })
    },
  }
}
