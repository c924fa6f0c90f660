import { createHash } from 'node:crypto'
import { CompactSign } from 'jose'
import type { KeyRing } from '../../keys/key-ring.ts'
import type { Clock } from '../clock.ts'
import { createCryptoKeyCache } from './crypto-key-cache.ts'

/** OpenID Connect Core §2: the ID token's `typ` (RFC 7519 §5.1), unlike access tokens' `at+jwt`. */
export const ID_TOKEN_TYP = 'JWT'

export interface IdTokenSubject {
  userId: string
  clientId: string
  /** The login session (OpenID Connect Front-Channel Logout §2 `sid`). */
  loginSessionId: string
  /** Milliseconds: when the user last entered their password. */
  authTime: number
  nonce: string | null
  /** The access token issued beside it, for `at_hash`. */
  accessToken: string
  ttlSec: number
  /** OpenID Connect Core §2 `acr` and RFC 8176 `amr` of the login. */
  acr: string
  amr: readonly string[]
  /** Standard claims released into the ID token (OpenID Connect Core §5.4, §5.5). */
  userClaims: Readonly<Record<string, string | number | boolean>>
}

export interface IdTokenSigner {
  sign(subject: IdTokenSubject): Promise<string>
}

/**
 * OpenID Connect Core §3.1.3.7: `at_hash` is the base64url of the left half of the hash of the
 * access token's ASCII, the hash being the one of the signing algorithm (SHA-256 for RS256,
 * ES256; SHA-512 for EdDSA with Ed25519).
 */
export function accessTokenHash(accessToken: string, alg: string): string {
  const digest = createHash(alg === 'EdDSA' ? 'sha512' : 'sha256')
    .update(accessToken, 'ascii')
    .digest()
  return digest.subarray(0, digest.length / 2).toString('base64url')
}

/** Signs ID tokens (OpenID Connect Core §2) with the key ring's current key. */
export function createIdTokenSigner(deps: { keyRing: KeyRing; issuer: string; clock: Clock }): IdTokenSigner {
  const cryptoKeyFor = createCryptoKeyCache()
  const encoder = new TextEncoder()
  return {
    async sign(s) {
      const now = deps.clock()
      const iat = Math.floor(now / 1000)
      const signing = deps.keyRing.signingKey(now)
      const claims = {
        ...s.userClaims,
        iss: deps.issuer,
        sub: s.userId,
        aud: s.clientId,
        exp: iat + s.ttlSec,
        iat,
        auth_time: Math.floor(s.authTime / 1000),
        ...(s.nonce === null ? {} : { nonce: s.nonce }),
        acr: s.acr,
        amr: [...s.amr],
        sid: s.loginSessionId,
        at_hash: accessTokenHash(s.accessToken, signing.alg),
      }
      return new CompactSign(encoder.encode(JSON.stringify(claims)))
        .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: ID_TOKEN_TYP })
        .sign(await cryptoKeyFor(signing))
    },
  }
}
