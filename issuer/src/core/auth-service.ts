import { randomUUID } from 'node:crypto'
import { IssuerError } from '../errors.ts'
import type { IssuerConfig } from '../runtime/config.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Clock } from './clock.ts'
import type { PasswordHasher } from './passwords/password-hasher.ts'
import { openSuccessor, sealSuccessor } from './rotation/successor-seal.ts'
import type { SessionRecord, Store, UserRecord } from './store.ts'
import type { AccessTokenSigner } from './tokens/access-token-signer.ts'
import { createRandomSource } from './tokens/random-source.ts'
import { hashRefreshToken, isRefreshTokenShape, newRefreshToken } from './tokens/refresh-token.ts'
import { normalizeUsername } from './users/normalize-username.ts'

export interface ClientMeta {
  clientIp: string | null
  userAgent: string | null
}

export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: 'Bearer'
  sessionId: string
}

export interface SessionView {
  id: string
  clientId: string
  createdAt: string
  lastUsedAt: string
  expiresAt: string
  clientIp: string | null
  userAgent: string | null
}

export type AuthConfig = Pick<
  IssuerConfig,
  | 'refreshIdleTtlSec'
  | 'sessionAbsoluteTtlSec'
  | 'refreshGraceSec'
  | 'loginWindowSec'
  | 'loginMaxFailuresPerAccount'
  | 'loginMaxFailuresPerAddress'
  | 'clientIds'
>

export interface AuthService {
  login(input: { username: string; password: string; clientId?: string } & ClientMeta): Promise<TokenPair>
  refresh(refreshToken: string): Promise<TokenPair>
  /** Ends the session the token belongs to. Unknown tokens are ignored (RFC 7009). */
  logout(refreshToken: string): Promise<void>
  logoutAll(userId: string): Promise<number>
  listSessions(userId: string): Promise<SessionView[]>
  revokeSession(userId: string, sessionId: string): Promise<boolean>
  /** Whether the user's session (an access token's `sid`) is neither revoked nor expired. */
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
}

const BAD_CREDENTIALS = 'The username or password is incorrect.'
const BAD_REFRESH = 'The refresh token is not valid. Log in again.'

export function toSessionView(s: SessionRecord): SessionView {
  return {
    id: s.id,
    clientId: s.clientId,
    createdAt: new Date(s.createdAt).toISOString(),
    lastUsedAt: new Date(s.lastUsedAt).toISOString(),
    expiresAt: new Date(s.absoluteExpiresAt).toISOString(),
    clientIp: s.clientIp,
    userAgent: s.userAgent,
  }
}

export function createAuthService(deps: {
  store: Store
  signer: AccessTokenSigner
  hasher: PasswordHasher
  clock: Clock
  logger: Logger
  config: AuthConfig
}): AuthService {
  const { store, signer, hasher, clock, logger, config } = deps
  const windowMs = config.loginWindowSec * 1000
  const random = createRandomSource()

  const rateLimited = (resetAt: number, now: number) =>
    new IssuerError('rate_limited', 'Too many failed login attempts. Try again later.', {
      retryAfterSec: Math.max(1, Math.ceil((resetAt - now) / 1000)),
    })

  async function issuePair(
    user: UserRecord,
    session: SessionRecord,
    refreshToken: string,
  ): Promise<TokenPair> {
    const access = await signer.sign({
      userId: user.id,
      clientId: session.clientId,
      sessionId: session.id,
      roles: user.roles,
    })
    return {
      accessToken: access.token,
      refreshToken,
      expiresIn: access.expiresIn,
      tokenType: 'Bearer',
      sessionId: session.id,
    }
  }

  /** A refresh for a user who was deleted or disabled ends the session. */
  async function liveUserOf(session: SessionRecord, now: number): Promise<UserRecord> {
    const user = await store.findUserById(session.userId)
    if (!user || user.disabled) {
      await store.revokeSession(session.id, 'user_disabled', now)
      throw new IssuerError('invalid_token', BAD_REFRESH, { detail: 'user_disabled' })
    }
    return user
  }

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
      // Count per normalised name even when no such user exists, so a lockout reveals nothing.
      const accountKey = `login:account:${username ?? input.username.slice(0, 128)}`
      const addressKey = `login:address:${input.clientIp ?? 'unknown'}`
      // Count the attempt before the slow hash, atomically: parallel guesses then see the counter
      // move one by one, instead of all passing a check made before any of them had failed.
      const [account, address] = await Promise.all([
        store.hitCounter(accountKey, now, windowMs),
        store.hitCounter(addressKey, now, windowMs),
      ])
      if (
        account.count > config.loginMaxFailuresPerAccount ||
        address.count > config.loginMaxFailuresPerAddress
      ) {
        // Over the limit: not an attempt, so it does not extend the lockout.
        await Promise.all([store.releaseCounter(accountKey), store.releaseCounter(addressKey)])
        const limited = account.count > config.loginMaxFailuresPerAccount ? account : address
        throw rateLimited(limited.resetAt, now)
      }

      const user = username === null ? null : await store.findUserByUsername(username)
      // Unknown users are hashed against a dummy so both failures cost the same.
      const check = await hasher.verify(input.password, user?.passwordHash ?? null)
      if (!user || !check.ok) {
        if (account.count === config.loginMaxFailuresPerAccount) {
          logger.security('login_lockout', {
            scope: 'account',
            userId: user?.id ?? null,
            clientIp: input.clientIp,
          })
        }
        if (address.count === config.loginMaxFailuresPerAddress) {
          logger.security('login_lockout', { scope: 'address', clientIp: input.clientIp })
        }
        logger.info('login_failed', { userId: user?.id ?? null, clientIp: input.clientIp })
        throw new IssuerError('invalid_credentials', BAD_CREDENTIALS)
      }
      if (user.disabled) {
        logger.info('login_refused_disabled', { userId: user.id })
        throw new IssuerError('user_disabled', 'This account is disabled.')
      }
      // A success is not a failure: the account starts afresh, the address gets its hit back.
      await Promise.all([store.resetCounter(accountKey), store.releaseCounter(addressKey)])
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
        tokenHash: hashRefreshToken(refreshToken),
        idleExpiresAt: Math.min(now + config.refreshIdleTtlSec * 1000, absoluteExpiresAt),
      })
      logger.info('login', { userId: user.id, sessionId: session.id, clientId })
      return issuePair(user, session, refreshToken)
    },

    async refresh(presented) {
      if (!isRefreshTokenShape(presented)) {
        throw new IssuerError('invalid_token', BAD_REFRESH, { detail: 'malformed' })
      }
      const now = clock()
      const successor = newRefreshToken(random)
      const result = await store.rotate({
        tokenHash: hashRefreshToken(presented),
        now,
        graceMs: config.refreshGraceSec * 1000,
        successor: {
          hash: hashRefreshToken(successor),
          idleExpiresAt: now + config.refreshIdleTtlSec * 1000,
          sealed: sealSuccessor(successor, presented, random),
        },
      })
      switch (result.kind) {
        case 'rotated': {
          const user = await liveUserOf(result.session, now)
          logger.info('refresh', {
            userId: user.id,
            sessionId: result.session.id,
            generation: result.generation,
          })
          return issuePair(user, result.session, successor)
        }
        case 'replayed': {
          const again = openSuccessor(result.sealedSuccessor, presented)
          if (again === null) throw new IssuerError('invalid_token', BAD_REFRESH, { detail: 'unseal_failed' })
          const user = await liveUserOf(result.session, now)
          logger.info('refresh_grace_retry', { userId: user.id, sessionId: result.session.id })
          return issuePair(user, result.session, again)
        }
        case 'reuse_detected':
          logger.security('refresh_reuse_detected', {
            userId: result.session.userId,
            sessionId: result.session.id,
          })
          throw new IssuerError(
            'reuse_detected',
            'This refresh token was already used. The session has been ended; log in again.',
          )
        case 'invalid':
          throw new IssuerError('invalid_token', BAD_REFRESH, { detail: result.reason })
      }
    },

    async logout(presented) {
      if (!isRefreshTokenShape(presented)) return
      const now = clock()
      const token = await store.findToken(hashRefreshToken(presented))
      if (!token) return
      if (await store.revokeSession(token.sessionId, 'logout', now)) {
        logger.info('logout', { sessionId: token.sessionId })
      }
    },

    async logoutAll(userId) {
      const count = await store.revokeUserSessions(userId, 'logout_all', clock())
      logger.info('logout_all', { userId, sessions: count })
      return count
    },

    async listSessions(userId) {
      return (await store.listSessions(userId, clock())).map(toSessionView)
    },

    async revokeSession(userId, sessionId) {
      const session = await store.getSession(sessionId)
      // Another user's session id answers as unknown: ids are not an oracle.
      if (!session || session.userId !== userId) return false
      const revoked = await store.revokeSession(sessionId, 'revoked_by_user', clock())
      if (revoked) logger.info('session_revoked', { userId, sessionId })
      return revoked
    },

    async isSessionLive(userId, sessionId) {
      const session = await store.getSession(sessionId)
      return (
        session !== null &&
        session.userId === userId &&
        session.revokedAt === null &&
        session.absoluteExpiresAt > clock()
      )
    },
  }
}
