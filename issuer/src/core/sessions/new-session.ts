import { randomUUID } from 'node:crypto'
import type { ClientRecord } from '../clients/client-record.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { hashRefreshToken, newRefreshToken } from '../tokens/refresh-token.ts'
import type { ClientMeta } from './client-meta.ts'
import type { NewSession } from './session-record.ts'

export interface SessionLifetimes {
  refreshIdleTtlSec: number
  sessionAbsoluteTtlSec: number
}

/**
 * A new session (refresh-token family) for a user at a client, with its first refresh token:
 * what a password login and a redeemed authorization code both start.
 */
export function newSessionFor(
  input: {
    userId: string
    client: ClientRecord
    scope: readonly string[]
    /** Claims asked for at userinfo with the `claims` parameter; none for a password login. */
    claims?: readonly string[]
    /** How the user authenticated (RFC 8176 `amr`, its `acr`, when: ms), for every token of the session. */
    amr: readonly string[]
    acr: string
    authTime: number
    meta: ClientMeta
    now: number
  },
  lifetimes: SessionLifetimes,
  random: RandomBytes,
): { session: NewSession; refreshToken: string } {
  const { now } = input
  const refreshToken = newRefreshToken(random)
  const absoluteExpiresAt = now + lifetimes.sessionAbsoluteTtlSec * 1000
  return {
    refreshToken,
    session: {
      id: randomUUID(),
      userId: input.userId,
      clientId: input.client.id,
      createdAt: now,
      absoluteExpiresAt,
      clientIp: input.meta.clientIp,
      userAgent: input.meta.userAgent?.slice(0, 256) ?? null,
      scope: [...input.scope],
      publicClient: input.client.type === 'public',
      claims: [...(input.claims ?? [])],
      amr: [...input.amr],
      acr: input.acr,
      authTime: input.authTime,
      tokenHash: hashRefreshToken(refreshToken),
      idleExpiresAt: Math.min(now + lifetimes.refreshIdleTtlSec * 1000, absoluteExpiresAt),
    },
  }
}
