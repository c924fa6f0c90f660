import { CLIENTS } from '../clients/client-collection.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Store } from '../store.ts'
import type { AccessTokenVerifier } from '../tokens/access-token-verifier.ts'
import { hashRefreshToken, isRefreshTokenShape } from '../tokens/refresh-token.ts'
import { USERS } from '../users/user-collection.ts'

/** RFC 7662 §2.2. Inactive tokens say nothing else about themselves. */
export type IntrospectionResult =
  | { active: false }
  | {
      active: true
      scope: string
      client_id: string
      sub: string
      exp: number
      iat: number
      iss: string
      aud?: string | string[]
      token_type: 'Bearer' | 'refresh_token'
      sid?: string
      jti?: string
      /** A user's access token's login context (RFC 9068 §2.2.1), for a gateway that steps up. */
      acr?: string
      amr?: string[]
      auth_time?: number
    }

export interface TokenIntrospection {
  /**
   * Whether `token` is active now, for a confidential client (a resource server, a gateway).
   * RFC 7662 §2.2 and §4: the answer is `active: true` only to a client allowed to learn about the
   * token: the client it was issued to, or one whose registered audiences include the token's
   * `aud` (the API it was issued for). Anyone else learns only `active: false`.
   */
  introspect(client: ClientRecord, token: string): Promise<IntrospectionResult>
}

const INACTIVE = { active: false } as const

export function createTokenIntrospection(deps: {
  store: Pick<Store, 'findToken' | 'getSession' | 'records'>
  verifier: Pick<AccessTokenVerifier, 'inspect'>
  clock: Clock
  issuer: string
}): TokenIntrospection {
  const { store, clock } = deps

  /** A session is active while it is neither revoked nor past its lifetime, and its user is enabled. */
  async function liveSession(sessionId: string, userId: string, now: number) {
    const session = await store.getSession(sessionId)
    if (session === null || session.userId !== userId) return null
    if (session.revokedAt !== null || now >= session.absoluteExpiresAt) return null
    const user = await store.records.get(USERS, { id: session.userId })
    return user === null || user.disabled ? null : session
  }

  async function refreshToken(client: ClientRecord, token: string): Promise<IntrospectionResult> {
    const record = await store.findToken(hashRefreshToken(token))
    const now = clock()
    if (record === null || record.consumedAt !== null || now >= record.idleExpiresAt) return INACTIVE
    const session = await store.getSession(record.sessionId)
    // A refresh token is its client's secret: only that client learns about it.
    if (session === null || session.clientId !== client.id) return INACTIVE
    if ((await liveSession(session.id, session.userId, now)) === null) return INACTIVE
    return {
      active: true,
      scope: session.scope.join(' '),
      client_id: session.clientId,
      sub: session.userId,
      exp: Math.floor(Math.min(record.idleExpiresAt, session.absoluteExpiresAt) / 1000),
      iat: Math.floor(record.createdAt / 1000),
      iss: deps.issuer,
      token_type: 'refresh_token',
      sid: session.id,
    }
  }

  async function accessToken(client: ClientRecord, token: string): Promise<IntrospectionResult> {
    const claims = await deps.verifier.inspect(token).catch(() => null)
    if (claims === null) return INACTIVE
    const aud = claims.aud === undefined ? [] : typeof claims.aud === 'string' ? [claims.aud] : claims.aud
    const entitled = claims.client_id === client.id || client.audiences.some((a) => aud.includes(a))
    if (!entitled) return INACTIVE
    const now = clock()
    if (claims.sid !== undefined) {
      if ((await liveSession(claims.sid, claims.sub, now)) === null) return INACTIVE
    } else {
      // A service token is active while its client is registered and enabled.
      const owner = await store.records.get(CLIENTS, { id: claims.client_id })
      if (owner === null || owner.disabled) return INACTIVE
    }
    return {
      active: true,
      scope: typeof claims.scope === 'string' ? claims.scope : '',
      client_id: claims.client_id,
      sub: claims.sub,
      exp: claims.exp as number,
      iat: claims.iat as number,
      iss: deps.issuer,
      ...(claims.aud === undefined ? {} : { aud: claims.aud }),
      token_type: 'Bearer',
      ...(claims.sid === undefined ? {} : { sid: claims.sid }),
      ...(claims.jti === undefined ? {} : { jti: claims.jti }),
      ...(claims.acr === undefined ? {} : { acr: claims.acr }),
      ...(claims.amr === undefined ? {} : { amr: claims.amr }),
      ...(claims.auth_time === undefined ? {} : { auth_time: claims.auth_time }),
    }
  }

  return {
    introspect(client, token) {
      return isRefreshTokenShape(token) ? refreshToken(client, token) : accessToken(client, token)
    },
  }
}
