import { randomUUID } from 'node:crypto'
import { CompactSign, type CryptoKey, importJWK, type JWK } from 'jose'
import type { KeyRing } from '../../keys/key-ring.ts'
import type { SigningKey } from '../../keys/load-signing-key.ts'
import type { Clock } from '../clock.ts'

export const ACCESS_TOKEN_TYP = 'at+jwt'

export interface AccessTokenSubject {
  userId: string
  clientId: string
  sessionId: string
  roles: string[]
}

export interface SignedAccessToken {
  token: string
  expiresIn: number
  jti: string
}

export interface AccessTokenSigner {
  sign(subject: AccessTokenSubject): Promise<SignedAccessToken>
}

/**
 * Signs RFC 9068 access tokens with the key ring's current key. WebCrypto keys are imported once
 * per kid: jose then signs on libuv's thread pool, so RSA work never blocks the event loop.
 */
export function createAccessTokenSigner(deps: {
  keyRing: KeyRing
  issuer: string
  audience: string[]
  ttlSec: number
  clock: Clock
}): AccessTokenSigner {
  // Imported once per kid (exporting and importing a private key costs more than signing).
  const imported = new Map<string, Promise<CryptoKey>>()
  const cryptoKeyFor = (signing: SigningKey): Promise<CryptoKey> => {
    let key = imported.get(signing.kid)
    if (!key) {
      key = importJWK(signing.privateKey.export({ format: 'jwk' }) as JWK, signing.alg) as Promise<CryptoKey>
      imported.set(signing.kid, key)
    }
    return key
  }
  const encoder = new TextEncoder()
  const aud = deps.audience.length === 1 ? (deps.audience[0] as string) : deps.audience

  return {
    async sign(subject) {
      const now = deps.clock()
      const signing = deps.keyRing.signingKey(now)
      const key = await cryptoKeyFor(signing)
      const iat = Math.floor(now / 1000)
      const jti = randomUUID()
      // The claims are serialised here and signed as a JWS (jose's CompactSign, RS256 via WebCrypto):
      // SignJWT would rebuild and re-validate the same claims through its builder on every call.
      const payload = encoder.encode(
        JSON.stringify({
          iss: deps.issuer,
          sub: subject.userId,
          aud,
          iat,
          exp: iat + deps.ttlSec,
          jti,
          client_id: subject.clientId,
          sid: subject.sessionId,
          roles: subject.roles,
        }),
      )
      const token = await new CompactSign(payload)
        .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: ACCESS_TOKEN_TYP })
        .sign(key)
      return { token, expiresIn: deps.ttlSec, jti }
    },
  }
}
