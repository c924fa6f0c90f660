import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store.ts'
import { hashRefreshToken, isRefreshTokenShape } from '../tokens/refresh-token.ts'
import type { SessionRecord } from './session-record.ts'
import { type SessionView, toSessionView } from './session-view.ts'

export interface Sessions {
  /** Ends the session the token belongs to. Unknown tokens are ignored (RFC 7009). */
  logout(refreshToken: string): Promise<void>
  /** Ends every live session of the user; returns how many. */
  logoutAll(userId: string): Promise<number>
  listSessions(userId: string): Promise<SessionView[]>
  /** Ends one of the user's sessions; false when it is not a live session of this user. */
  revokeSession(userId: string, sessionId: string): Promise<boolean>
  /** Whether the user's session (an access token's `sid`) is neither revoked nor expired. */
  isSessionLive(userId: string, sessionId: string): Promise<boolean>
  /** The user's session when it is live (see isSessionLive); null otherwise. */
  liveSession(userId: string, sessionId: string): Promise<SessionRecord | null>
}

export function createSessions(deps: {
  store: Pick<Store, 'findToken' | 'getSession' | 'revokeSession' | 'revokeUserSessions' | 'listSessions'>
  clock: Clock
  logger: Logger
}): Sessions {
  const { store, clock, logger } = deps

  async function liveSession(userId: string, sessionId: string): Promise<SessionRecord | null> {
    const session = await store.getSession(sessionId)
    const live =
      session !== null &&
      session.userId === userId &&
      session.revokedAt === null &&
      session.absoluteExpiresAt > clock()
    return live ? session : null
  }

  return {
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

    isSessionLive: async (userId, sessionId) => (await liveSession(userId, sessionId)) !== null,
    liveSession,
  }
}
