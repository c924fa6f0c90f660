import { type CryptoKey, importJWK, type JWK } from 'jose'
import type { SigningKey } from '../../keys/load-signing-key.ts'

/**
 * The WebCrypto key of a signing key, imported once per kid: exporting and importing a private
 * key costs more than signing with it, and jose then signs on libuv's thread pool.
 */
export function createCryptoKeyCache(): (signing: SigningKey) => Promise<CryptoKey> {
  const imported = new Map<string, Promise<CryptoKey>>()
  return (signing) => {
    let key = imported.get(signing.kid)
    if (!key) {
      key = importJWK(signing.privateKey.export({ format: 'jwk' }) as JWK, signing.alg) as Promise<CryptoKey>
      imported.set(signing.kid, key)
    }
    return key
  }
}
