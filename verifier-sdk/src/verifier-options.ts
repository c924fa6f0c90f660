import type { JwsAlgorithm } from './jws/jws-algorithm.ts'
import type { RevocationOptions } from './revocation/revocation-options.ts'

/** A JSON Web Key Set as the issuer publishes it at `/.well-known/jwks.json`. */
export interface JwksDocument {
  readonly keys: readonly object[]
}

/** Options of `createVerifier`. Defaults in brackets; see the README for each. */
export interface VerifierOptions {
  /** Expected `iss`, compared exactly. Also the base of discovery when no key source is given. */
  readonly issuer: string
  /** This service's audience: the token's `aud` must contain it (or one of them). */
  readonly audience: string | readonly string[]
  /**
   * JWKS URL [from `<issuer>/.well-known/openid-configuration`, or RFC 8414's
   * `oauth-authorization-server` document when that is absent, else `<issuer>/.well-known/jwks.json`].
   */
  readonly jwksUri?: string
  /** A static JWKS instead of fetching. */
  readonly jwks?: JwksDocument
  /** A JWKS file instead of fetching, read at creation and on `refreshKeys()`. */
  readonly jwksFile?: string
  /** Allowed `alg` values [['RS256']]. */
  readonly algorithms?: readonly JwsAlgorithm[]
  /** Leeway for exp/nbf/iat [5]. */
  readonly clockToleranceSec?: number
  /** Longer tokens are refused before any decoding [8192]. */
  readonly maxTokenBytes?: number
  /** How long past freshness the last good JWKS keeps verifying while the issuer is unreachable [3600]. */
  readonly maxStaleSec?: number
  /** Lower bound on the JWKS Cache-Control max-age [30]. */
  readonly minCacheSec?: number
  /** Upper bound on the JWKS Cache-Control max-age, and the age used when the header is absent [600]. */
  readonly maxCacheSec?: number
  /** Longest wait between refetches caused by an unknown `kid`: they back off from 1 s up to this [30]. */
  readonly unknownKidCooldownSec?: number
  /** Timeout of one discovery or JWKS request [5000]. */
  readonly fetchTimeoutMs?: number
  /** File where the last good JWKS is kept, so a cold start verifies before the issuer answers [none]. */
  readonly cacheFile?: string
  /** Verified-result cache for hot tokens [off]. `maxAgeSec` bounds an entry besides the token's exp [60]. */
  readonly cache?: { readonly maxEntries: number; readonly maxAgeSec?: number }
  /** Fetch implementation [globalThis.fetch]. */
  readonly fetch?: typeof globalThis.fetch
  /** Clock in milliseconds since the epoch [Date.now]. */
  readonly clock?: () => number
  /**
   * The issuer's revocation feed [followed when keys are discovered from the issuer and its metadata
   * advertises the feed]: a token whose session or user was ended is refused with `token_revoked`.
   * `false` turns it off; an object sets how (and follows it with a given jwksUri, jwks or jwksFile too).
   */
  readonly revocation?: false | RevocationOptions
  /** Receives operational warnings (JWKS refresh failed, cache file unwritable, ...) [ignored]. */
  readonly onWarning?: (message: string) => void
}
