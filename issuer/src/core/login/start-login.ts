import { authenticationOf } from '../authorization/acr-values.ts'
import { accessTokenShapeOf } from '../clients/access-token-shape-of.ts'
import type { ClientRecord } from '../clients/client-record.ts'
import type { Clock } from '../clock.ts'
import type { Logger } from '../logger.ts'
import type { ClientMeta } from '../sessions/client-meta.ts'
import { newSessionFor, type SessionLifetimes } from '../sessions/new-session.ts'
import type { Store } from '../store.ts'
import type { AccessTokenSigner } from '../tokens/access-token-signer.ts'
import type { RandomBytes } from '../tokens/random-source.ts'
import { issueTokenPair, type TokenPair } from '../tokens/token-pair.ts'
import type { UserRecord } from '../users/user-collection.ts'

export interface StartLoginDeps {
  store: Pick<Store, 'createSession'>
  signer: AccessTokenSigner
  random: RandomBytes
  clock: Clock
  logger: Logger
  config: SessionLifetimes & { issuerUrl: string }
}

/**
 * Starts a session (refresh-token family) for a user whom login steps already proved, at a client
 * with a granted scope, and answers its token pair: the end of every JSON API and password-grant
 * login, whichever steps it took. `amr`: what the steps asserted (RFC 8176).
 */
export async function startLogin(
  deps: StartLoginDeps,
  input: {
    user: UserRecord
    client: ClientRecord
    scope: readonly string[]
    meta: ClientMeta
    amr: readonly string[]
  },
): Promise<TokenPair> {
  const { user, client, scope } = input
  const now = deps.clock()
  const { amr, acr } = authenticationOf(input.amr)
  const started = newSessionFor(
    { userId: user.id, client, scope, amr, acr, authTime: now, meta: input.meta, now },
    deps.config,
    deps.random,
  )
  const session = await deps.store.createSession(started.session)
  deps.logger.info('login', {
    userId: user.id,
    sessionId: session.id,
    clientId: client.id,
    amr: input.amr.join(' '),
    acr,
  })
  return issueTokenPair(
    deps.signer,
    session,
    user.roles,
    started.refreshToken,
    accessTokenShapeOf(client, scope, deps.config.issuerUrl),
  )
}
