import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store.ts'
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts'
import { hashRefreshToken, isRefreshTokenShape } from '../tokens/refresh-token.ts'

export interface TokenRevocation {
  /**
   * RFC 7009 §2.1: a refresh token or a user's access token ends its session, when it was issued
   * to `client`. Unknown, invalid or another client's tokens change nothing; the caller answers
   * 200 either way (§2.2), so revocation tells a prober nothing.
   */
  revoke(client: ClientRecord, token: string, hint: string | undefined): Promise<void>
}

export function createTokenRevocation(deps: {
  store: Pick<Store, 'findToken' | 'getSession' | 'revokeSession'>
  verifier: Pick<AccessTokenVerifier, 'inspect'>
  clock: Clock
  logger: Logger
}): TokenRevocation {
  const { store, logger } = deps

  async function endSession(client: ClientRecord, sessionId: string, via: string): Promise<void> {
    const session = await store.getSession(sessionId)
    if (session === null || session.clientId !== client.id) return
    if (await store.revokeSession(session.id, 'revoked_by_client', deps.clock())) {
      logger.info('token_revoked', { sessionId: session.id, clientId: client.id, via })
    }
  }

  async function revokeRefreshToken(client: ClientRecord, token: string): Promise<boolean> {
    if (!isRefreshTokenShape(token)) return false
    const record = await store.findToken(hashRefreshToken(token))
    if (record === null) return false
    await endSession(client, record.sessionId, 'refresh_token')
    return true
  }

  async function revokeAccessToken(client: ClientRecord, token: string): Promise<boolean> {
    const claims = await deps.verifier.inspect(token).catch(() => null)
    if (claims === null) return false
    // A service token has no session to end; it lives until its `exp` (docs/oauth.md).
    if (claims.sid !== undefined && claims.client_id === client.id)
      await endSession(client, claims.sid, 'access_token')
    return true
  }

  return {
    async revoke(client, token, hint) {
      // §2.1: the hint orders the search; the other type is tried when it misses.
      if (hint === 'access_token') {
        if (!(await revokeAccessToken(client, token))) await revokeRefreshToken(client, token)
      } else if (!(await revokeRefreshToken(client, token))) {
        await revokeAccessToken(client, token)
      }
    },
  }
}
