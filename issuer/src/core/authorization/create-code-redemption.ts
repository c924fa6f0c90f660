// The token endpoint's authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6): the code's
// bindings checked, then the code consumed and the session started in one store step; a code
// presented again is refused and the session it started revoked (RFC 6749 §4.1.2).
import { randomBytes } from 'node:crypto'
import { OAuthError } from '../../errors.ts'
import { claimsOfScope } from '../claims/scope-claims.ts'
import { userClaims } from '../claims/user-claims.ts'
import { accessTokenShapeOf } from '../clients/access-token-shape-of.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'
import { newSessionFor, type SessionLifetimes } from '../sessions/new-session.ts'
import type { Store } from '../store.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { IdTokenSigner } from '../tokens/id-token-signer.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { issueTokenPair, type TokenPair } from '../tokens/token-pair.ts'
import { USERS } from '../users/user-collection.ts'
import { authenticationOf } from './acr-values.ts'
import { hashAuthorizationCode, isAuthorizationCodeShape } from './authorization-code.ts'
import { AUTHORIZATION_CODES } from './authorization-code-collection.ts'
import { OPENID_SCOPE } from './check-authorization-request.ts'
import { pkceS256Matches } from './pkce.ts'

export interface CodeGrantInput extends ClientMeta {
  code: string
  redirectUri: string | undefined
  codeVerifier: string | undefined
}

export interface CodeRedemption {
  /** The tokens for a code, with an ID token when the scope holds `openid`; else invalid_grant. */
  redeem(client: ClientRecord, input: CodeGrantInput): Promise<TokenPair & { idToken: string | null }>
}

export function createCodeRedemption(deps: {
  store: Pick<Store, 'records' | 'redeemOnce' | 'revokeSession'>
  signer: AccessTokenSigner
  idTokens: IdTokenSigner
  clock: Clock
  logger: Logger
  config: SessionLifetimes & { issuerUrl: string }
  random?: RandomBytes
}): CodeRedemption {
  const { store, clock, logger, config } = deps
  const random = deps.random ?? randomBytes
  // One answer whatever the reason (RFC 6749 §5.2), the reason kept for the operator's log.
  const refused = (detail: string) =>
    new OAuthError('invalid_grant', 'The authorization code is invalid, expired or already used.', { detail })

  return {
    async redeem(client, input) {
      const now = clock()
      if (!isAuthorizationCodeShape(input.code)) throw refused('shape')
      const hash = hashAuthorizationCode(input.code)
      const code = await store.records.get(AUTHORIZATION_CODES, { hash })
      if (code === null) throw refused('unknown')
      if (code.clientId !== client.id) throw refused('client_mismatch')
      // RFC 6749 §4.1.3: the redirect_uri of the request, identical.
      if (input.redirectUri !== code.redirectUri) throw refused('redirect_uri_mismatch')
      if (code.codeChallenge === null) {
        // RFC 9700 §2.1.1: a verifier for a code issued without a challenge is a downgrade attempt.
        if (input.codeVerifier !== undefined) throw refused('pkce_downgrade')
      } else if (!pkceS256Matches(input.codeVerifier, code.codeChallenge)) {
        throw refused('pkce_mismatch')
      }
      if (code.expiresAt <= now) throw refused('expired')
      const user = await store.records.get(USERS, { id: code.userId })
      if (user === null || user.disabled) throw refused('user_disabled')

      // What the login met, of the classes the request asked for (OpenID Connect Core §2, §3.1.2.1):
      // said in the ID token, and kept in the session for every access token it mints.
      const authentication = authenticationOf(code.amr, code.acrValues)
      const started = newSessionFor(
        {
          userId: user.id,
          client,
          scope: code.scope,
          claims: code.claims?.userinfo ?? [],
          ...authentication,
          authTime: code.authTime,
          meta: input,
          now,
        },
        config,
        random,
      )
      const result = await store.redeemOnce(AUTHORIZATION_CODES, { hash }, now, started.session)
      if (result.kind === 'replayed') {
        const revoked = await store.revokeSession(result.sessionId, 'code_replay', now)
        logger.security('authorization_code_replay', {
          clientId: client.id,
          userId: code.userId,
          sessionId: result.sessionId,
          revoked,
        })
        throw refused('replayed')
      }
      if (result.kind === 'invalid') throw refused('expired')

      logger.info('login', { userId: user.id, sessionId: result.session.id, clientId: client.id })
      const pair = await issueTokenPair(
        deps.signer,
        result.session,
        user.roles,
        started.refreshToken,
        accessTokenShapeOf(client, code.scope, config.issuerUrl),
      )
      const idToken = code.scope.includes(OPENID_SCOPE)
        ? await deps.idTokens.sign({
            userId: user.id,
            clientId: client.id,
            loginSessionId: code.loginSessionId,
            authTime: code.authTime,
            nonce: code.nonce,
            accessToken: pair.accessToken,
            ttlSec: pair.expiresIn,
            ...authentication,
            userClaims: userClaims(
              user,
              new Set([...claimsOfScope(code.scope), ...(code.claims?.idToken ?? [])]),
            ),
          })
        : null
      return { ...pair, idToken }
    },
  }
}
