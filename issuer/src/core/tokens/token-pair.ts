import type { SessionRecord } from '../store.ts'
import type { AccessTokenSigner } from './access-token-signer.ts'

/** What a login or a refresh hands out: a signed access token and the session's live refresh token. */
export interface TokenPair {
  accessToken: string
  refreshToken: string
  expiresIn: number
  tokenType: 'Bearer'
  sessionId: string
}

/** Signs the access token of `session` for a user with `roles`, beside its refresh token. */
export async function issueTokenPair(
  signer: AccessTokenSigner,
  session: SessionRecord,
  roles: string[],
  refreshToken: string,
): Promise<TokenPair> {
  const access = await signer.sign({
    userId: session.userId,
    clientId: session.clientId,
    sessionId: session.id,
    roles,
  })
  return {
    accessToken: access.token,
    refreshToken,
    expiresIn: access.expiresIn,
    tokenType: 'Bearer',
    sessionId: session.id,
  }
}
