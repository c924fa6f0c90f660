import { createPublicKey, type KeyObject } from 'node:crypto'
import { calculateJwkThumbprint, type JWK } from 'jose'
import type { SigningAlg } from './key-manifest.ts'

export interface PublicJwk extends JWK {
  kid: string
  alg: SigningAlg
  use: 'sig'
}

/** The published form of a key: public members only, `kid` = RFC 7638 SHA-256 thumbprint. */
export async function publicJwkOf(key: KeyObject, alg: SigningAlg): Promise<PublicJwk> {
  const pubKey = key.type === 'public' ? key : createPublicKey(key)
  const exported = pubKey.export({ format: 'jwk' }) as JWK
  // Keep only the public members of each key type; never pass through anything else.
  const pub: JWK =
    exported.kty === 'RSA'
      ? { kty: 'RSA', n: exported.n, e: exported.e }
      : exported.kty === 'EC'
        ? { kty: 'EC', crv: exported.crv, x: exported.x, y: exported.y }
        : { kty: exported.kty, crv: exported.crv, x: exported.x }
  const kid = await calculateJwkThumbprint(pub, 'sha256')
  return { ...pub, kid, alg, use: 'sig' }
}
