import { constants, type KeyObject, verify } from 'node:crypto'
import type { JwsAlgorithm } from './jws-algorithm.ts'

interface AlgorithmParams {
  readonly hash: string | null
  readonly pss?: true
  /** ECDSA: the exact length of the raw r||s signature. */
  readonly ecdsaLength?: number
}

const PARAMS: Readonly<Record<JwsAlgorithm, AlgorithmParams>> = {
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
 * The JWS signature layer (RFC 7515 section 5.2 step 8): does `signature` sign `signingInput`
 * (the ASCII `header.payload`) under `key` with `alg`? Resolves false on any mismatch, never throws
 * for a bad signature. The RSA/EC work runs on libuv's thread pool, so many verifications in
 * flight use every core while the event loop stays free.
 *
 * The caller must have checked that `key` fits `alg` (see the key set).
 */
export function verifySignature(
  alg: JwsAlgorithm,
  key: KeyObject,
  signingInput: string,
  signature: Uint8Array,
): Promise<boolean> {
  const params = PARAMS[alg]
  if (params.ecdsaLength !== undefined && signature.length !== params.ecdsaLength)
    return Promise.resolve(false)
  const data = Buffer.from(signingInput, 'latin1')
  const keyInput = params.pss
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
    : params.ecdsaLength !== undefined
      ? { key, dsaEncoding: 'ieee-p1363' as const }
      : key
  return new Promise((resolve) => {
    verify(params.hash, data, keyInput, signature, (error, ok) => resolve(error === null && ok === true))
  })
}
