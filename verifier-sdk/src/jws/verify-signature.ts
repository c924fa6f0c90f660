import { type KeyObject, verify } from 'node:crypto'
import { ALGORITHM_PARAMS, keyInputFor } from './algorithm-params.ts'
import type { JwsAlgorithm } from './jws-algorithm.ts'

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
  const params = ALGORITHM_PARAMS[alg]
  if (params.ecdsaLength !== undefined && signature.length !== params.ecdsaLength)
    return Promise.resolve(false)
  const data = Buffer.from(signingInput, 'latin1')
  const keyInput = keyInputFor(alg, key)
  return new Promise((resolve) => {
    verify(params.hash, data, keyInput, signature, (error, ok) => resolve(error === null && ok === true))
  })
}
