import { type Context, Hono } from 'hono'
import type { AuthService } from '../core/auth-service.ts'
import type { Authorization } from '../core/authorization/create-authorization.ts'
import type { ClientAuthenticator } from '../core/clients/create-client-authenticator.ts'
import { createClientCache } from '../core/clients/create-client-cache.ts'
import { createWebOriginIndex } from '../core/clients/create-web-origin-index.ts'
import type { Clock } from '../core/clock.ts'
import type { TokenGrants } from '../core/grants/create-token-grants.ts'
import type { TokenIntrospection } from '../core/grants/create-token-introspection.ts'
import type { TokenRevocation } from '../core/grants/create-token-revocation.ts'
import type { Logger } from '../core/logger.ts'
import type { Mfa } from '../core/mfa/create-mfa.ts'
import type { RevocationFeed } from '../core/revocations/create-revocation-feed.ts'
import type { Store } from '../core/store.ts'
import type { AccessTokenVerifier } from '../core/tokens/access-token-verifier.ts'
import { USERS } from '../core/users/user-collection.ts'
import type { KeyRing } from '../keys/key-ring.ts'
import { createSecurityRoutes } from './account/security-routes.ts'
import { createAuthRoutes } from './auth-routes.ts'
import { createAuthorizeRoutes } from './authorize/authorize-routes.ts'
import { createCsrfGuard } from './authorize/csrf-guard.ts'
import { createEndSessionRoutes } from './authorize/end-session-routes.ts'
import { createLoginSessionCookie } from './authorize/login-session-cookie.ts'
import type { BearerEnv } from './bearer-auth.ts'
import { clientAddressFrom } from './client-address.ts'
import { createConsentRoutes } from './consent-routes.ts'
import { createErrorHandler } from './error-handler.ts'
import { createHealthRoutes } from './health-routes.ts'
import type { HttpConfig } from './http-config.ts'
import { createMfaRoutes } from './mfa-routes.ts'
import { createOAuthRoutes } from './oauth/oauth-routes.ts'
import { createBrowserCors } from './oauth-shared/browser-cors.ts'
import { createUserinfoRoutes } from './oidc/userinfo-routes.ts'
import { createPasskeyRoutes, type PasskeyRoutesDeps } from './passkey-routes.ts'
import { createRevocationFeedRoutes } from './revocation-feed-routes.ts'
import type { SecondStepFields } from './second-step-fields.ts'
import { createWellKnownRoutes } from './well-known-routes.ts'

export { CSRF_COOKIE } from './authorize/csrf-guard.ts'
export { LOGIN_SESSION_COOKIE } from './authorize/login-session-cookie.ts'
export { CSRF_HEADER } from './cookie-origin-policy.ts'
export { REFRESH_COOKIE } from './refresh-cookie.ts'

/** The standard surface's operations (issue of RFC 6749, 7009, 7662), beside the JSON API's. */
export interface OAuthDeps {
  clients: ClientAuthenticator
  /** The token endpoint looks each `grant_type` up here; the metadata documents list their types. */
  grants: TokenGrants
  revocation: TokenRevocation
  introspection: TokenIntrospection
  /** The scopes clients may ask for, for the metadata. */
  scopes: () => Promise<string[]>
  /** The authorization code flow's browser side (login session, consent, codes). */
  authorization: Authorization
}

/** Passkeys on the JSON API: the service, passkey-only sign-in, and a pending sign-in's user. */
export type PasskeyDeps = Pick<PasskeyRoutesDeps, 'passkeys' | 'login' | 'ticketUser'>

export interface IssuerAppDeps {
  auth: AuthService
  oauth: OAuthDeps
  passkeys: PasskeyDeps
  verifier: AccessTokenVerifier
  keyRing: KeyRing
  store: Store
  /** This instance's view of the revocation and key-event feed. */
  revocationFeed: RevocationFeed
  clock: Clock
  logger: Logger
  /** The runtime's IssuerConfig fits as it is. */
  config: HttpConfig
  /** The JWKS max-age; must stay below the key schedule's publish lead. */
  jwksMaxAgeSec: number
  /** Second factors: `/auth/mfa/*`, and the steps `/auth/login/mfa` offers by body field. */
  mfa?: { mfa: Mfa; secondSteps: SecondStepFields }
  /** Overrides how the client address is found (tests). */
  clientAddress?: (c: Context) => string | null
}

// An idle stream beats this often: the follower's sign that the feed is still followed, well
// inside the SDK's smallest staleness bound.
const FEED_HEARTBEAT_MS = 1000
// How soon a web origin added or removed with the CLI is seen by CORS on every instance.
const WEB_ORIGINS_MAX_AGE_MS = 5000

/** The issuer's HTTP surface, composed of its route modules. Every error answers `{ code, error }`. */
export function createIssuerApp(deps: IssuerAppDeps): Hono<BearerEnv> {
  const { config } = deps
  const app = new Hono<BearerEnv>()
  app.onError(createErrorHandler(deps.logger))
  app.notFound((c) => c.json({ code: 'not_found', error: 'No such endpoint.' }, 404))

  const clientAddress = deps.clientAddress ?? clientAddressFrom(config.trustProxy)
  const cors = createBrowserCors({
    origins: createWebOriginIndex(deps.store.records, deps.clock, WEB_ORIGINS_MAX_AGE_MS),
  })
  app.route(
    '/auth',
    createAuthRoutes({
      auth: deps.auth,
      verifier: deps.verifier,
      config,
      clientAddress,
      ...(deps.mfa === undefined ? {} : { secondSteps: deps.mfa.secondSteps }),
    }),
  )
  app.route(
    '/',
    createOAuthRoutes({
      ...deps.oauth,
      issuerUrl: config.issuerUrl,
      defaultClientId: config.clientIds[0] ?? 'default',
      maxBodyBytes: config.maxBodyBytes,
      clientAddress,
      cors,
      logger: deps.logger,
    }),
  )
  app.route(
    '/auth',
    createConsentRoutes({
      authorization: deps.oauth.authorization,
      verifier: deps.verifier,
      isSessionLive: (userId, sessionId) => deps.auth.isSessionLive(userId, sessionId),
      issuerUrl: config.issuerUrl,
    }),
  )
  app.route(
    '/auth',
    createPasskeyRoutes({
      ...deps.passkeys,
      user: (userId) => deps.store.records.get(USERS, { id: userId }),
      verifier: deps.verifier,
      isSessionLive: (userId, sessionId) => deps.auth.isSessionLive(userId, sessionId),
      issuerUrl: config.issuerUrl,
      maxBodyBytes: config.maxBodyBytes,
      clientAddress,
      clock: deps.clock,
      counters: deps.store,
    }),
  )
  if (deps.mfa !== undefined) {
    app.route(
      '/auth',
      createMfaRoutes({
        mfa: deps.mfa.mfa,
        records: deps.store.records,
        verifier: deps.verifier,
        isSessionLive: (userId, sessionId) => deps.auth.isSessionLive(userId, sessionId),
        issuerUrl: config.issuerUrl,
        maxBodyBytes: config.maxBodyBytes,
        clock: deps.clock,
      }),
    )
  }
  const csrf = createCsrfGuard({ keyRing: deps.keyRing, clock: deps.clock, secure: config.cookieSecure })
  const loginCookie = createLoginSessionCookie({
    secure: config.cookieSecure,
    maxAgeSec: config.loginSessionAbsoluteTtlSec,
  })
  // The request's parameters travel with the password: more room than an API body needs.
  const maxFormBytes = Math.max(config.maxBodyBytes, 16384)
  const browser = {
    authorization: deps.oauth.authorization,
    csrf,
    loginCookie,
    issuerUrl: config.issuerUrl,
    maxFormBytes,
    logger: deps.logger,
    clock: deps.clock,
  }
  app.route('/', createAuthorizeRoutes({ ...browser, clientAddress }))
  if (deps.mfa !== undefined) {
    app.route(
      '/',
      createSecurityRoutes({
        ...browser,
        factors: deps.mfa.mfa,
        passkeys: deps.passkeys.passkeys,
        records: deps.store.records,
        clientAddress,
        clock: deps.clock,
      }),
    )
  }
  app.route(
    '/',
    createEndSessionRoutes({
      ...browser,
      records: deps.store.records,
      keyRing: deps.keyRing,
      clock: deps.clock,
    }),
  )
  app.route(
    '/',
    createUserinfoRoutes({
      verifier: deps.verifier,
      store: deps.store,
      liveSession: (userId, sessionId) => deps.auth.liveSession(userId, sessionId),
      clients: createClientCache(deps.store.records, deps.clock, WEB_ORIGINS_MAX_AGE_MS),
      cors,
      maxBodyBytes: config.maxBodyBytes,
      logger: deps.logger,
    }),
  )
  app.route(
    '/.well-known',
    createWellKnownRoutes({
      keyRing: deps.keyRing,
      clock: deps.clock,
      issuerUrl: config.issuerUrl,
      jwksMaxAgeSec: deps.jwksMaxAgeSec,
      scopes: deps.oauth.scopes,
      grantTypes: deps.oauth.grants.map((grant) => grant.type),
    }),
  )
  app.route('/', createRevocationFeedRoutes({ feed: deps.revocationFeed, heartbeatMs: FEED_HEARTBEAT_MS }))
  app.route('/', createHealthRoutes({ store: deps.store, keyRing: deps.keyRing, clock: deps.clock }))
  return app
}
