import { IssuerError } from '../../errors.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
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
}

export interface Refresh {
  /** Consumes the refresh token and hands out its one successor (docs/issuer.md, "Refresh rotation"). */
  refresh(refreshToken: string): Promise<TokenPair>
}

const BAD_REFRESH = 'The refresh token is not valid. Log in again.'

export function createRefresh(deps: {
  store: Pick<Store, 'rotate'>
  signer: AccessTokenSigner
  random: RandomBytes
  clock: Clock
  logger: Logger
  config: RefreshConfig
}): Refresh {
  const { store, signer, random, clock, logger, config } = deps

  return {
    async refresh(presented) {
      if (!isRefreshTokenShape(presented)) {
        throw new IssuerError('invalid_token', BAD_REFRESH, { detail: 'malformed' })
      }
      const now = clock()
      const successor = newRefreshToken(random)
      const result = await store.rotate({
        tokenHash: hashRefreshToken(presented),
        now,
        clientId: null,
        graceMs: config.refreshGraceSec * 1000,
        successor: {
          hash: hashRefreshToken(successor),
          idleExpiresAt: now + config.refreshIdleTtlSec * 1000,
          sealed: sealSuccessor(successor, presented, random),
        },
      })
      switch (result.kind) {
        case 'rotated':
          logger.info('refresh', {
            userId: result.session.userId,
            sessionId: result.session.id,
            generation: result.generation,
          })
          return issueTokenPair(signer, result.session, result.roles, successor)
        case 'replayed': {
          const again = openSuccessor(result.sealedSuccessor, presented)
          if (again === null) throw new IssuerError('invalid_token', BAD_REFRESH, { detail: 'unseal_failed' })
          logger.info('refresh_grace_retry', { userId: result.session.userId, sessionId: result.session.id })
          return issueTokenPair(signer, result.session, result.roles, again)
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
          // Includes a disabled or deleted user ('user_disabled'): the store has ended the session.
          throw new IssuerError('invalid_token', BAD_REFRESH, { detail: result.reason })
      }
    },
  }
}
