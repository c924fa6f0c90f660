import { randomUUID } from 'node:crypto'
import { IssuerError } from '../../errors.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { PasswordHasher } from '../passwords/password-hasher.ts'
import type { Store } from '../store.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { hashRefreshToken, newRefreshToken } from '../tokens/refresh-token.ts'
import { issueTokenPair, type TokenPair } from '../tokens/token-pair.ts'
import { normalizeUsername } from '../users/normalize-username.ts'
import type { LoginLimiter } from './create-login-limiter.ts'

export interface ClientMeta {
  clientIp: string | null
  userAgent: string | null
}

export type LoginInput = { username: string; password: string; clientId?: string } & ClientMeta

export interface LoginConfig {
  refreshIdleTtlSec: number
  sessionAbsoluteTtlSec: number
  clientIds: string[]
}

export interface Login {
  /** Checks the password and starts a session. Unknown user and wrong password answer alike. */
  login(input: LoginInput): Promise<TokenPair>
}

const BAD_CREDENTIALS = 'The username or password is incorrect.'

export function createLogin(deps: {
  store: Pick<Store, 'findUserByUsername' | 'updateUser' | 'createSession'>
  limiter: LoginLimiter
  signer: AccessTokenSigner
  hasher: PasswordHasher
  random: RandomBytes
  clock: Clock
  logger: Logger
  config: LoginConfig
}): Login {
  const { store, limiter, signer, hasher, random, clock, logger, config } = deps

  return {
    async login(input) {
      const now = clock()
      if (Buffer.byteLength(input.password, 'utf8') > hasher.maxPasswordBytes) {
        throw new IssuerError(
          'invalid_request',
          `The password must be at most ${hasher.maxPasswordBytes} bytes.`,
        )
      }
      const clientId = input.clientId ?? config.clientIds[0] ?? 'default'
      if (!config.clientIds.includes(clientId)) {
        throw new IssuerError('invalid_request', 'Unknown clientId.')
      }
      const username = normalizeUsername(input.username)
      // Counted per normalised name even when no such user exists, so a lockout reveals nothing.
      const account = username ?? input.username.slice(0, 128)
      const attempt = await limiter.attempt(account, input.clientIp, now)

      const user = username === null ? null : await store.findUserByUsername(username)
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
        await store.updateUser(user.id, { passwordHash: await hasher.hash(input.password), updatedAt: now })
        logger.info('password_rehashed', { userId: user.id })
      }
      const refreshToken = newRefreshToken(random)
      const absoluteExpiresAt = now + config.sessionAbsoluteTtlSec * 1000
      const session = await store.createSession({
        id: randomUUID(),
        userId: user.id,
        clientId,
        createdAt: now,
        absoluteExpiresAt,
        clientIp: input.clientIp,
        userAgent: input.userAgent?.slice(0, 256) ?? null,
        scope: [],
        publicClient: true,
        tokenHash: hashRefreshToken(refreshToken),
        idleExpiresAt: Math.min(now + config.refreshIdleTtlSec * 1000, absoluteExpiresAt),
      })
      logger.info('login', { userId: user.id, sessionId: session.id, clientId })
      return issueTokenPair(signer, session, user.roles, refreshToken)
    },
  }
}
