// A client's key pair for private_key_jwt (RFC 7523) in tests: the public JWKS to register on the
// client, and a signer of client assertions whose every claim a test may bend.
import { randomUUID } from 'node:crypto'
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'

export type AssertionAlg = 'RS256' | 'ES256' | 'EdDSA'

export interface AssertionClaims {
  clientId: string
  /** The `aud`: the token endpoint's URL or the issuer's. */
  audience: string | string[]
  /** The signer's clock, in ms; default Date.now(). */
  now?: number
  /** `exp - iat`; default 60 s. */
  lifetimeSec?: number
  /** Default a fresh UUID; null leaves it out. */
  jti?: string | null
  /** Default `clientId`. */
  sub?: string
  iss?: string
}

export interface ClientAssertionKey {
  alg: AssertionAlg
  kid: string
  privateKey: CryptoKey
  /** The public key as registered on the client. */
  publicJwk: JWK
  jwks: { keys: Record<string, unknown>[] }
  sign(claims: AssertionClaims): Promise<string>
}

export async function createClientAssertionKey(alg: AssertionAlg = 'ES256'): Promise<ClientAssertionKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const kid = randomUUID()
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return {
    alg,
    kid,
    privateKey,
    publicJwk,
    jwks: { keys: [publicJwk as Record<string, unknown>] },
    async sign(claims) {
      const iat = Math.floor((claims.now ?? Date.now()) / 1000)
      const jwt = new SignJWT({})
        .setProtectedHeader({ alg, kid })
        .setIssuer(claims.iss ?? claims.clientId)
        .setSubject(claims.sub ?? claims.clientId)
        .setAudience(claims.audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + (claims.lifetimeSec ?? 60))
      if (claims.jti !== null) jwt.setJti(claims.jti ?? randomUUID())
      return jwt.sign(privateKey)
    },
  }
}
