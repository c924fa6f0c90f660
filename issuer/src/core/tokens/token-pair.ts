import { sessionAuthentication } from '../sessions/session-authentication.ts'
import type { SessionRecord } from '../sessions/session-record.ts'
import type { AccessTokenSigner } from './access-token-signer.ts'

/** What a login or a refresh hands out: a signed access token and the session's live refresh token. */
export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: 'Bearer'
  sessionId: string
  /** The scope of the access token (RFC 6749 §5.1). */
  scope: string[]
}

/** How the access token of a pair is cut: scope, audience and lifetime, from the client and grant. */
export interface AccessTokenShape {
  scope: readonly string[]
  /** Empty: the issuer's AUDIENCE. */
  audience: readonly string[]
  /** Shortens the issuer's lifetime; undefined keeps it. */
  ttlSec?: number
}

/**
 * Signs the access token of `session` for a user with `roles`, beside its refresh token; the
 * session's login context (acr, amr, auth_time) goes in it, the same on every refresh.
 */
export async function issueTokenPair(
  signer: AccessTokenSigner,
  session: SessionRecord,
  roles: string[],
  refreshToken: string,
  shape: AccessTokenShape,
): Promise<TokenPair> {
  const access = await signer.sign({
    userId: session.userId,
    clientId: session.clientId,
    sessionId: session.id,
    roles,
    authentication: sessionAuthentication(session),
    scope: shape.scope,
    audience: shape.audience,
    ...(shape.ttlSec === undefined ? {} : { ttlSec: shape.ttlSec }),
  })
  return {
    accessToken: access.token,
    refreshToken,
    expiresIn: access.expiresIn,
    tokenType: 'Bearer',
    sessionId: session.id,
    scope: [...shape.scope],
  }
}
