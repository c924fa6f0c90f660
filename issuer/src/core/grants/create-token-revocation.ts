import { OAuthError } from '../../errors.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { Store } from '../store.ts'
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts'
import { hashRefreshToken, isRefreshTokenShape } from '../tokens/refresh-token.ts'

export interface TokenRevocation {
  /**
   * RFC 7009 §2.1: a refresh token or a user's access token ends its session, when it was issued
   * to `client`. A valid token issued to another client is refused with `unauthorized_client`
   * (§2.1: the server verifies the token was issued to the client, and otherwise refuses and tells
   * it so) and changes nothing. Unknown and invalid tokens change nothing and answer 200 (§2.2).
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

  const notYours = (client: ClientRecord, via: string) => {
    logger.info('token_revocation_refused', { clientId: client.id, via, reason: 'other_client' })
    return new OAuthError('unauthorized_client', 'The token was not issued to this client.')
  }

  async function endSession(client: ClientRecord, sessionId: string, via: string): Promise<void> {
    if (await store.revokeSession(sessionId, 'revoked_by_client', deps.clock())) {
      logger.info('token_revoked', { sessionId, clientId: client.id, via })
    }
  }

  async function revokeRefreshToken(client: ClientRecord, token: string): Promise<boolean> {
    if (!isRefreshTokenShape(token)) return false
    const record = await store.findToken(hashRefreshToken(token))
    if (record === null) return false
    const session = await store.getSession(record.sessionId)
    if (session === null) return true
    if (session.clientId !== client.id) {
      // Only a token that still works is another client's business to protect: a used or
      // ended one is as good as unknown.
      const now = deps.clock()
      const valid =
        record.consumedAt === null &&
        record.idleExpiresAt > now &&
        session.revokedAt === null &&
        session.absoluteExpiresAt > now
      if (valid) throw notYours(client, 'refresh_token')
      return true
    }
    await endSession(client, session.id, 'refresh_token')
    return true
  }

  async function revokeAccessToken(client: ClientRecord, token: string): Promise<boolean> {
    const claims = await deps.verifier.inspect(token).catch(() => null)
    if (claims === null) return false
    if (claims.client_id !== client.id) throw notYours(client, 'access_token')
    // A service token has no session to end; it lives until its `exp` (docs/oauth.md).
    if (claims.sid !== undefined) await endSession(client, claims.sid, 'access_token')
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
