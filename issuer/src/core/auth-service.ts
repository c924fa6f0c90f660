// The issuer's auth operations as one service, composed of login, refresh and sessions: the HTTP
// layer and library users depend on this interface, not on how it is split.

import { createClientCache } from './clients/create-client-cache.ts'
import type { Clock } from './clock.ts'
import type { Logger } from './logger.ts'
import { createLogin, type Login, type LoginConfig } from './login/create-login.ts'
import { createLoginLimiter, type LoginLimiterConfig } from './login/create-login-limiter.ts'
import type { LoginTickets } from './login/create-login-tickets.ts'
import type { Mfa } from './mfa/create-mfa.ts'
import type { PasswordHasher } from './passwords/password-hasher.ts'
import { createRefresh, type Refresh, type RefreshConfig } from './rotation/create-refresh.ts'
import { createSessions, type Sessions } from './sessions/create-sessions.ts'
import type { Store } from './store.ts'
import type { AccessTokenSigner } from './tokens/access-token-signer.ts'
import { createRandomSource } from './tokens/random-source.ts'

export type { ClientMeta } from './sessions/client-meta.ts'
export { type SessionView, toSessionView } from './sessions/session-view.ts'
export type { TokenPair } from './tokens/token-pair.ts'

export type AuthConfig = LoginConfig & LoginLimiterConfig & RefreshConfig

export interface AuthService extends Login, Refresh, Sessions {}

const CLIENT_CACHE_MS = 5000

export function createAuthService(deps: {
  store: Store
  signer: AccessTokenSigner
  hasher: PasswordHasher
  clock: Clock
  logger: Logger
  config: AuthConfig
  /** Second factors and their tickets (core/mfa); absent: password logins only. */
  mfa?: Pick<Mfa, 'secondFactors' | 'required'>
  tickets?: LoginTickets
}): AuthService {
  const { store, config } = deps
  // One source for every refresh token and seal IV the service draws.
  const random = createRandomSource()
  const { login, loginAs, checkCredentials, recheckPassword, finishSecondStep } = createLogin({
    ...deps,
    random,
    limiter: createLoginLimiter({ store, config }),
  })
  // How soon a client disabled with the CLI stops refreshing on every instance.
  const clients = createClientCache(store.records, deps.clock, CLIENT_CACHE_MS)
  const { refresh } = createRefresh({ ...deps, random, clients })
  const sessions = createSessions(deps)
  return { login, loginAs, checkCredentials, recheckPassword, finishSecondStep, refresh, ...sessions }
}
