import type { JsonWebKey, KeyObject } from 'node:crypto'

/** What every token client is told. */
interface CommonTokenClientOptions {
  /** Base URL of the tokensmith issuer: its metadata, token endpoint and `/auth/*` API live under it. */
  readonly issuer: string
  /** Fetch implementation, for the issuer and the APIs [globalThis.fetch]. */
  readonly fetch?: typeof globalThis.fetch
  /** Clock in milliseconds [Date.now]. */
  readonly clock?: () => number
  /** Get a new access token when it expires within this many seconds, at most half its lifetime [5]. */
  readonly refreshSkewSec?: number
  /** Space-delimited scopes to ask for [none: the client's default scopes]. */
  readonly scope?: string
}

/** Options of `createTokenClient` for a user's client: `login()` with a username and password. */
export interface TokenClientOptions extends CommonTokenClientOptions {
  /** The OAuth client the user logs in through, on the standard token endpoint ['default']. */
  readonly clientId?: string
  /**
   * Also hold a session for the issuer's account endpoints (`listSessions`, `revokeSession`,
   * `logoutAll`): `login()` then logs in twice, the second time with the `account` scope [false].
   */
  readonly account?: boolean
  /**
   * Called once when the session ends for good: the issuer refused the refresh token (`401` from
   * the JSON API, `invalid_grant` from the token endpoint). The reason is the issuer's code.
   */
  readonly onSessionEnded?: (reason: string) => void
  readonly clientSecret?: never
  readonly privateKey?: never
}

/** The algorithms a `private_key_jwt` client assertion may be signed with. */
export type ClientAssertionAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

interface CommonServiceOptions extends CommonTokenClientOptions {
  /** The service's registered client id. */
  readonly clientId: string
  /** The API the token is for, sent as the token request's `audience` [the client's default]. */
  readonly audience?: string
  readonly account?: never
  readonly onSessionEnded?: never
}

/** A service that authenticates with its client secret (`client_secret_basic`). */
export interface ClientSecretOptions extends CommonServiceOptions {
  readonly clientSecret: string
  readonly privateKey?: never
  readonly keyId?: never
  readonly algorithm?: never
}

/** A service that authenticates with a signed assertion (`private_key_jwt`, RFC 7523): no shared secret. */
export interface PrivateKeyJwtOptions extends CommonServiceOptions {
  /** Its private key: a KeyObject, or a private JWK. The issuer holds the public half. */
  readonly privateKey: KeyObject | JsonWebKey
  /** The `kid` of the assertion's header [the JWK's `kid`, else none]. */
  readonly keyId?: string
  /** [the key's: RS256 for RSA, ES256 for P-256, EdDSA for Ed25519] */
  readonly algorithm?: ClientAssertionAlgorithm
  readonly clientSecret?: never
}

/** Options of `createTokenClient` for a service: tokens from the `client_credentials` grant. */
export type ServiceTokenClientOptions = ClientSecretOptions | PrivateKeyJwtOptions
