import { createPrivateKey, type JsonWebKey, KeyObject } from 'node:crypto'
import { MIN_RSA_BITS } from '../keys/key-set.ts'
import { optionError } from './option-error.ts'
import type { ClientAssertionAlgorithm } from './token-client-options.ts'

/** A private key ready to sign client assertions with, and the header values that name it. */
export interface AssertionKey {
  readonly key: KeyObject
  readonly alg: ClientAssertionAlgorithm
  readonly kid: string | undefined
}

/** The one algorithm each kind of key signs with here. */
function algorithmOf(key: KeyObject): ClientAssertionAlgorithm | undefined {
  const details = key.asymmetricKeyDetails
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return (details?.modulusLength ?? 0) >= MIN_RSA_BITS ? 'RS256' : undefined
    case 'ec':
      return details?.namedCurve === 'prime256v1' ? 'ES256' : undefined
    case 'ed25519':
      return 'EdDSA'
    default:
      return undefined
  }
}

function invalid(option: string, expected: string): never {
  throw optionError(option, expected)
}

/**
 * Checks the `privateKey`, `algorithm` and `keyId` options once, at creation: a private key
 * (KeyObject or JWK) of RSA (2048 bits or more), P-256 or Ed25519, and an algorithm that fits it.
 */
export function assertionKeyOf(privateKey: unknown, algorithm: unknown, keyId: unknown): AssertionKey {
  let key: KeyObject
  let jwkKid: unknown
  if (privateKey instanceof KeyObject) {
    if (privateKey.type !== 'private') invalid('privateKey', 'a private key, not a public or secret one')
    key = privateKey
  } else if (typeof privateKey === 'object' && privateKey !== null && 'd' in privateKey) {
    try {
      key = createPrivateKey({ key: privateKey as JsonWebKey, format: 'jwk' })
    } catch {
      invalid('privateKey', 'a valid private JWK')
    }
    jwkKid = (privateKey as { kid?: unknown }).kid
  } else {
    invalid('privateKey', 'a private KeyObject or a private JWK')
  }
  const fits = algorithmOf(key)
  if (fits === undefined)
    invalid('privateKey', `an RSA key of ${MIN_RSA_BITS} bits or more, a P-256 or an Ed25519 key`)
  if (algorithm !== undefined && algorithm !== fits) invalid('algorithm', `${fits} for this key`)
  if (keyId !== undefined && (typeof keyId !== 'string' || keyId.length === 0)) {
    invalid('keyId', 'a non-empty string')
  }
  const kid = keyId ?? (typeof jwkKid === 'string' && jwkKid.length > 0 ? jwkKid : undefined)
  return { key, alg: fits, kid }
}
