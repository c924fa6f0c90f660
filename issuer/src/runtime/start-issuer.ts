import { type AuthService, createAuthService } from '../core/auth-service.ts'
import { createAuthorization } from '../core/authorization/create-authorization.ts'
import { createCodeRedemption } from '../core/authorization/create-code-redemption.ts'
import { OIDC_SCOPES, UNOFFERED_SCOPES } from '../core/claims/offered-scopes.ts'
import { CLIENTS } from '../core/clients/client-collection.ts'
import { createClientAuthenticator } from '../core/clients/create-client-authenticator.ts'
import { ensureRegisteredClients } from '../core/clients/ensure-registered-clients.ts'
import { ACCOUNT_SCOPE } from '../core/clients/grant-scope.ts'
import { type Clock, systemClock } from '../core/clock.ts'
import { createTokenGrants } from '../core/grants/create-token-grants.ts'
import { createTokenIntrospection } from '../core/grants/create-token-introspection.ts'
import { createTokenRevocation } from '../core/grants/create-token-revocation.ts'
import { createLoginLimiter } from '../core/login/create-login-limiter.ts'
import { createLoginTickets } from '../core/login/create-login-tickets.ts'
import { limitedSecondStep } from '../core/login/limited-second-step.ts'
import { createPasswordRecheckStep, createPasswordStep } from '../core/login/password-step.ts'
import { createMfa, type Mfa } from '../core/mfa/create-mfa.ts'
import { loadMfaEncryptionKey } from '../core/mfa/mfa-encryption-key.ts'
import { createRecoveryCodeStep } from '../core/mfa/recovery-code-step.ts'
import { createSecretBox } from '../core/mfa/secret-box.ts'
import { createTotpStep } from '../core/mfa/totp-step.ts'
import { createPasskeyLogin } from '../core/passkeys/create-passkey-login.ts'
import { createPasskeyStep } from '../core/passkeys/create-passkey-step.ts'
import { createPasskeys } from '../core/passkeys/create-passkeys.ts'
import { relyingPartyOf } from '../core/passkeys/relying-party.ts'
import { createPasswordHasher } from '../core/passwords/password-hasher.ts'
import { listAll } from '../core/records/list-all.ts'
import { createRevocationFeed, type RevocationFeed } from '../core/revocations/create-revocation-feed.ts'
import type { Store } from '../core/store.ts'
import { createAccessTokenSigner } from '../core/tokens/access-token-signer.ts'
import { createAccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { createIdTokenSigner } from '../core/tokens/id-token-signer.ts'
import { createRandomSource } from '../core/tokens/random-source.ts'
import { createIssuerApp } from '../http/create-issuer-app.ts'
import { OAUTH_PATHS } from '../http/endpoint-paths.ts'
import { jwksMaxAgeFor } from '../http/jwks-max-age.ts'
import { codeField, passkeyField } from '../http/second-step-fields.ts'
import { generateFirstKey } from '../keys/generate-first-key.ts'
import { createKeyRing, type KeyRing } from '../keys/key-ring.ts'
import { openStore } from '../store/open-store.ts'
import { checkKeyRetention, retentionNeededSec } from './check-key-retention.ts'
import type { IssuerConfig } from './config.ts'
import { createLogger, type Logger } from './logger.ts'
import { startBackgroundWork } from './start-background-work.ts'

export interface Issuer {
  app: ReturnType<typeof createIssuerApp>
  auth: AuthService
  /** The users' second factors (core/mfa). */
  mfa: Mfa
  keyRing: KeyRing
  store: Store
  /** This instance's revocation feed (its poller stops with close()). */
  revocationFeed: RevocationFeed
  logger: Logger
  /** Re-reads the keys directory; logs and keeps the last good set on failure. */
  reloadKeys(): Promise<boolean>
  /** Stops timers and closes the store. */
  close(): Promise<void>
}

/**
 * Wires the issuer from its configuration: keys (the first one generated in an empty
 * directory), store (migrated), hasher, signer, verifier, auth service, HTTP app, and the
 * background work (key rescan, purge).
 */
export async function startIssuer(
  config: IssuerConfig,
  opts: { clock?: Clock; logger?: Logger; store?: Store } = {},
): Promise<Issuer> {
  const clock = opts.clock ?? systemClock
  const logger = opts.logger ?? createLogger({ level: config.logLevel, clock })

  const firstKey = await generateFirstKey({
    dir: config.keysDir,
    clock,
    retireAfterSec: retentionNeededSec(config),
  })
  if (firstKey) {
    logger.warn('keys_generated', {
      kid: firstKey.kid,
      dir: config.keysDir,
      message:
        'No signing key was found, so a first RS256 key was generated. Use `pnpm genkeys` in production.',
    })
  }
  const keyRing = await createKeyRing({ dir: config.keysDir, clock })
  checkKeyRetention(config, keyRing.manifest().retireAfterSec)
  keyRing.signingKey(clock()) // refuse to start with no current key
  // Before the store: a missing or bad key must stop start-up before anything is served.
  const box = createSecretBox(await loadMfaEncryptionKey(config.mfaEncryptionKeyFile))

  const store =
    opts.store ??
    (await openStore(config.databaseUrl, {
      server: true,
      revocationTtlMs: retentionNeededSec(config) * 1000,
      ...(config.databasePoolSize === null ? {} : { poolSize: config.databasePoolSize }),
      // Idle server connections fail on their own: log which error (name and code, not its message).
      onError: (err) =>
        logger.error('store_connection_error', {
          name: err.name,
          code: String((err as { code?: unknown }).code ?? ''),
        }),
    }))
  await store.migrate()
  await ensureRegisteredClients(store.records, config.clientIds, clock())

  const hasher = createPasswordHasher({ cost: { logN: config.scryptLogN, r: 8, p: 1 } })
  const signer = createAccessTokenSigner({
    keyRing,
    issuer: config.issuerUrl,
    audience: config.audience,
    ttlSec: config.accessTokenTtlSec,
    clock,
  })
  // Any audience of this issuer's own tokens: each endpoint checks the audience it needs.
  const verifier = createAccessTokenVerifier({
    keyRing,
    issuer: config.issuerUrl,
    clockSkewSec: config.clockSkewSec,
    clock,
  })
  const random = createRandomSource()
  const mfa = createMfa({
    store,
    box,
    clock,
    logger,
    random,
    policy: config,
    issuerName: new URL(config.issuerUrl).host,
  })
  const tickets = createLoginTickets({ store, clock, random })
  const totpStep = createTotpStep({ store, box, clock })
  const recoveryCodeStep = createRecoveryCodeStep({ store, box, clock, logger })
  const auth = createAuthService({ store, signer, hasher, clock, logger, config, mfa, tickets })
  const relyingParty = relyingPartyOf(
    config.issuerUrl,
    config.webauthnRpId ?? undefined,
    config.webauthnRpName,
  )
  // The same counters as the password's (they live in the store): passkey failures count with them.
  const limiter = createLoginLimiter({ store, config })
  const passkeyStep = createPasskeyStep({ store, limiter, clock, logger, relyingParty })
  const passkeys = {
    passkeys: createPasskeys({ store, clock, logger, relyingParty }),
    login: createPasskeyLogin({
      store,
      records: store.records,
      signer,
      random: createRandomSource(),
      clock,
      logger,
      config,
      clientIds: config.clientIds,
      step: passkeyStep,
    }),
    ticketUser: async (mfaToken: string) => (await tickets.open(mfaToken))?.userId ?? null,
  }
  const oauth = {
    clients: createClientAuthenticator({
      store,
      clock,
      issuer: config.issuerUrl,
      tokenEndpoint: `${config.issuerUrl}${OAUTH_PATHS.token}`,
      // As on the refresh path: a client disabled with the CLI is refused within 5 s everywhere.
      acceptedForMs: 5000,
    }),
    grants: createTokenGrants({
      login: auth,
      refresh: auth,
      codes: createCodeRedemption({
        store,
        signer,
        idTokens: createIdTokenSigner({ keyRing, issuer: config.issuerUrl, clock }),
        clock,
        logger,
        config,
      }),
      signer,
      defaultAudience: config.audience,
    }),
    authorization: createAuthorization({
      store,
      // The hosted pages' steps: a password or a passkey first; then a code or a passkey.
      steps: [
        createPasswordStep(auth),
        createPasswordRecheckStep(auth),
        passkeyStep,
        limitedSecondStep(totpStep, { records: store.records, limiter, clock, logger }),
        limitedSecondStep(recoveryCodeStep, { records: store.records, limiter, clock, logger }),
      ],
      factors: mfa,
      tickets,
      clock,
      logger,
      config,
    }),
    revocation: createTokenRevocation({ store, verifier, clock, logger }),
    introspection: createTokenIntrospection({ store, verifier, clock, issuer: config.issuerUrl }),
    scopes: async () => [
      ...new Set([
        ...OIDC_SCOPES,
        ACCOUNT_SCOPE,
        // A standard scope with no claims here is not offered, even when a client registered it.
        ...(await listAll(store.records, CLIENTS))
          .flatMap((client) => client.scopes)
          .filter((scope) => !UNOFFERED_SCOPES.includes(scope)),
      ]),
    ],
  }
  const revocationFeed = createRevocationFeed({
    store,
    keyRing,
    clock,
    logger,
    issuer: config.issuerUrl,
    pollIntervalMs: config.revocationFeedPollMs,
    horizonMs: retentionNeededSec(config) * 1000,
  })
  const app = createIssuerApp({
    auth,
    oauth,
    passkeys,
    verifier,
    keyRing,
    store,
    revocationFeed,
    clock,
    logger,
    config,
    jwksMaxAgeSec: jwksMaxAgeFor(keyRing.manifest().publishLeadSec),
    mfa: {
      mfa,
      // By body field; the passkey step joins as `passkey` ({mfaToken, challengeId, passkey}).
      secondSteps: {
        otp: codeField(totpStep, 'otp'),
        recoveryCode: codeField(recoveryCodeStep, 'recoveryCode'),
        passkey: passkeyField(passkeyStep),
      },
    },
  })
  const background = startBackgroundWork({
    keyRing,
    store,
    clock,
    logger,
    keysRescanSec: config.keysRescanSec,
    purgeIntervalSec: config.purgeIntervalSec,
    onKeysReloaded: () => revocationFeed.keysChanged(),
  })

  return {
    app,
    auth,
    mfa,
    keyRing,
    store,
    revocationFeed,
    logger,
    reloadKeys: background.reloadKeys,
    async close() {
      background.stop()
      revocationFeed.stop()
      await store.close()
    },
  }
}
