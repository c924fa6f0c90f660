import { IssuerError } from '../../errors.ts'
import { accessTokenShapeOf } from '../clients/access-token-shape-of.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { ClientCache } from '../clients/create-client-cache.ts'
import { narrowScope } from '../clients/grant-scope.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { SessionRecord } from '../sessions/session-record.ts'
import type { Store } from '../store.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { hashRefreshToken, isRefreshTokenShape, newRefreshToken } from '../tokens/refresh-token.ts'
import { issueTokenPair, type TokenPair } from '../tokens/token-pair.ts'
import { openSuccessor, sealSuccessor } from './successor-seal.ts'

export interface RefreshConfig {
  refreshIdleTtlSec: number
  /** 0 disables the grace window. */
  refreshGraceSec: number
  /** The `iss`; also the audience of account-scoped tokens. */
  issuerUrl: string
}

export interface RefreshOptions {
  /**
   * The authenticated client presenting the token (the refresh_token grant): the token must have
   * been issued to it. Absent (`/auth/refresh`): only a public client's token is accepted.
   */
  client?: ClientRecord
  /** RFC 6749 §6: a narrower scope for the new access token; the session keeps its own. */
  scope?: string
}

export interface Refresh {
  /** Consumes the refresh token and hands out its one successor (docs/issuer.md, "Refresh rotation"). */
  refresh(refreshToken: string, options?: RefreshOptions): Promise<TokenPair>
}

const BAD_REFRESH = 'The refresh token is not valid. Log in again.'

export function createRefresh(deps: {
  store: Pick<Store, 'rotate' | 'findToken' | 'getSession' | 'revokeSession' | 'recordRevocation'>
  /** The registry as the refresh path reads it (the client's audiences and lifetime). */
  clients: ClientCache
  signer: AccessTokenSigner
  random: RandomBytes
  clock: Clock
  logger: Logger
  config: RefreshConfig
}): Refresh {
  const { store, signer, random, clock, logger, config } = deps
  const invalid = (detail: string) => new IssuerError('invalid_token', BAD_REFRESH, { detail })

  /**
   * `rotate` ends a session itself on reuse or a disabled user; its feed entry is written here,
   * right after (docs/threat-model.md names the window between the two). Idempotent, so a retry
   * or a second instance writing the same entry changes nothing.
   */
  async function recordUserEnded(tokenHash: string, now: number): Promise<void> {
    const token = await store.findToken(tokenHash)
    const session = token === null ? null : await store.getSession(token.sessionId)
    if (session !== null) await store.recordRevocation('user', session.userId, now)
  }

  /**
   * Asking for a scope is rare: only then is the session read first, so a refusal consumes
   * nothing. Only the token's own client, on a live session, learns that a scope was not granted;
   * anyone else gets the rotation's own answer, so the scope is no oracle.
   */
  async function checkNarrowing(tokenHash: string, scope: string, clientId: string | null): Promise<void> {
    const token = await store.findToken(tokenHash)
    const session = token === null ? null : await store.getSession(token.sessionId)
    if (session === null || session.revokedAt !== null) return
    const owner = clientId === null ? session.publicClient : session.clientId === clientId
    if (!owner) return
    const narrowed = narrowScope(scope, session.scope)
    if (!narrowed.ok) throw new IssuerError('invalid_scope', narrowed.reason)
  }

  /** The access token's shape from the session's client, which must still be enabled. */
  async function shapeFor(session: SessionRecord, options: RefreshOptions, now: number) {
    const client = options.client ?? (await deps.clients.get(session.clientId))
    if (client === null || client.disabled) {
      await store.revokeSession(session.id, 'client_disabled', now)
      throw invalid('client_disabled')
    }
    const narrowed = narrowScope(options.scope, session.scope)
    const scope = narrowed.ok ? narrowed.scope : session.scope
    return accessTokenShapeOf(client, scope, config.issuerUrl)
  }

  return {
    async refresh(presented, options = {}) {
      if (!isRefreshTokenShape(presented)) throw invalid('malformed')
      const tokenHash = hashRefreshToken(presented)
      if (options.scope !== undefined)
        await checkNarrowing(tokenHash, options.scope, options.client?.id ?? null)
      const now = clock()
      const successor = newRefreshToken(random)
      const result = await store.rotate({
        tokenHash,
        clientId: options.client?.id ?? null,
        now,
        graceMs: config.refreshGraceSec * 1000,
        successor: {
          hash: hashRefreshToken(successor),
          idleExpiresAt: now + config.refreshIdleTtlSec * 1000,
          sealed: sealSuccessor(successor, presented, random),
        },
      })
      // The session's live refresh token beside an access token cut for its client.
      const pairOf = async (live: { session: SessionRecord; roles: string[] }, token: string) =>
        issueTokenPair(signer, live.session, live.roles, token, await shapeFor(live.session, options, now))
      switch (result.kind) {
        case 'rotated':
          logger.info('refresh', {
            userId: result.session.userId,
            sessionId: result.session.id,
            generation: result.generation,
          })
          return pairOf(result, successor)
        case 'replayed': {
          const again = openSuccessor(result.sealedSuccessor, presented)
          if (again === null) throw invalid('unseal_failed')
          logger.info('refresh_grace_retry', { userId: result.session.userId, sessionId: result.session.id })
          return pairOf(result, again)
        }
        case 'reuse_detected':
          await store.recordRevocation('session', result.session.id, now)
          logger.security('refresh_reuse_detected', {
            userId: result.session.userId,
            sessionId: result.session.id,
          })
          throw new IssuerError(
            'reuse_detected',
            'This refresh token was already used. The session has been ended; log in again.',
          )
        case 'invalid':
          // Includes a disabled or deleted user ('user_disabled'): the store has ended the session.
          if (result.reason === 'user_disabled') await recordUserEnded(tokenHash, now)
          throw invalid(result.reason)
      }
    },
  }
}
