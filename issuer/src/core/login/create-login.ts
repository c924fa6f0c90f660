import { IssuerError } from '../../errors.ts'
import { PASSWORD_AMR } from '../authorization/acr-values.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { PasswordHasher } from '../passwords/password-hasher.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'
import type { Store } from '../store.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import type { TokenPair } from '../tokens/token-pair.ts'
import { findUserByUsername } from '../users/find-user-by-username.ts'
import { normalizeUsername } from '../users/normalize-username.ts'
import type { UserRecord } from '../users/user-collection.ts'
import { USERS } from '../users/user-collection.ts'
import type { LoginLimiter } from './create-login-limiter.ts'
import { jsonLoginClient } from './json-login-client.ts'
import { startLogin } from './start-login.ts'

export type Credentials = { username: string; password: string } & ClientMeta

/** `/auth/login`: the client by its id (default: the first of CLIENT_IDS), the scope as asked. */
export type LoginInput = Credentials & { clientId?: string; scope?: string }

export interface LoginConfig {
  refreshIdleTtlSec: number
  sessionAbsoluteTtlSec: number
  clientIds: string[]
  /** The `iss`; also the audience of account-scoped tokens. */
  issuerUrl: string
}

export interface Login {
  /**
   * Checks the password and starts a session for a public client that has the password grant
   * (the JSON API has no client authentication). Unknown user and wrong password answer alike.
   */
  login(input: LoginInput): Promise<TokenPair>
  /** The same login for a client already authenticated (the password grant) and a granted scope. */
  loginAs(client: ClientRecord, scope: readonly string[], credentials: Credentials): Promise<TokenPair>
  /**
   * The password check alone, under the same limiter and dummy hash (the hosted login page):
   * the user, or `invalid_credentials` / `user_disabled` / `rate_limited`.
   */
  checkCredentials(credentials: Credentials): Promise<UserRecord>
}

/** The one failure message of every password check, whichever part was wrong. */
export const BAD_CREDENTIALS = 'The username or password is incorrect.'

export function createLogin(deps: {
  store: Pick<Store, 'records' | 'createSession'>
  limiter: LoginLimiter
  signer: AccessTokenSigner
  hasher: PasswordHasher
  random: RandomBytes
  clock: Clock
  logger: Logger
  config: LoginConfig
}): Login {
  const { store, limiter, hasher, clock, logger, config } = deps

  async function checkCredentials(input: Credentials): Promise<UserRecord> {
    const now = clock()
    if (Buffer.byteLength(input.password, 'utf8') > hasher.maxPasswordBytes) {
      throw new IssuerError(
        'invalid_request',
        `The password must be at most ${hasher.maxPasswordBytes} bytes.`,
      )
    }
    const username = normalizeUsername(input.username)
    // Counted per normalised name even when no such user exists, so a lockout reveals nothing.
    const account = username ?? input.username.slice(0, 128)
    const attempt = await limiter.attempt(account, input.clientIp, now)

    const user = username === null ? null : await findUserByUsername(store.records, username)
    // Unknown users are hashed against a dummy so both failures cost the same.
    const check = await hasher.verify(input.password, user?.passwordHash ?? null)
    if (!user || !check.ok) {
      if (attempt.lastForAccount) {
        logger.security('login_lockout', {
          scope: 'account',
          userId: user?.id ?? null,
          clientIp: input.clientIp,
        })
      }
      if (attempt.lastForAddress) {
        logger.security('login_lockout', { scope: 'address', clientIp: input.clientIp })
      }
      logger.info('login_failed', { userId: user?.id ?? null, clientIp: input.clientIp })
      throw new IssuerError('invalid_credentials', BAD_CREDENTIALS)
    }
    if (user.disabled) {
      logger.info('login_refused_disabled', { userId: user.id })
      throw new IssuerError('user_disabled', 'This account is disabled.')
    }
    await limiter.succeeded(account, input.clientIp)
    if (check.needsRehash) {
      await store.records.update(
        USERS,
        { id: user.id },
        { passwordHash: await hasher.hash(input.password), updatedAt: now },
      )
      logger.info('password_rehashed', { userId: user.id })
    }
    return user
  }

  async function loginAs(
    client: ClientRecord,
    scope: readonly string[],
    input: Credentials,
  ): Promise<TokenPair> {
    const user = await checkCredentials(input)
    return startLogin(deps, { user, client, scope, meta: input, amr: PASSWORD_AMR })
  }

  return {
    async login(input) {
      const { client, scope } = await jsonLoginClient(store.records, config.clientIds, input)
      return loginAs(client, scope, input)
    },
    loginAs,
    checkCredentials,
  }
}
