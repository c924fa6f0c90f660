import { constants, type KeyObject, type SignKeyObjectInput } from 'node:crypto'
import type { JwsAlgorithm } from './jws-algorithm.ts'

interface AlgorithmParams {
  readonly hash: string | null
  readonly pss?: true
  /** ECDSA: the exact length of the raw r||s signature. */
  readonly ecdsaLength?: number
}

/** How each JWS algorithm maps onto node:crypto's sign and verify (RFC 7518 section 3). */
export const ALGORITHM_PARAMS: Readonly<Record<JwsAlgorithm, AlgorithmParams>> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ecdsaLength: 64 },
  ES384: { hash: 'sha384', ecdsaLength: 96 },
  ES512: { hash: 'sha512', ecdsaLength: 132 },
  EdDSA: { hash: null },
}

/**
 * The key argument of node:crypto's sign or verify for `alg` (the two take the same shape): PSS
 * padding for PS*, JWS's raw r||s encoding for ES*, the key alone otherwise.
 */
export function keyInputFor(alg: JwsAlgorithm, key: KeyObject): KeyObject | SignKeyObjectInput {
  const params = ALGORITHM_PARAMS[alg]
  if (params.pss) {
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
  }
  return params.ecdsaLength === undefined ? key : { key, dsaEncoding: 'ieee-p1363' }
}
