import { type KeyObject, sign } from 'node:crypto'
import { ALGORITHM_PARAMS, keyInputFor } from './algorithm-params.ts'
import type { JwsAlgorithm } from './jws-algorithm.ts'

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * Signs `payload` as a compact JWS (RFC 7515 section 7.1) under the private `key` with `alg`;
 * `header.alg` is set to `alg`. The caller must have checked that `key` fits `alg`. Like
 * verification, the work runs on libuv's thread pool.
 */
export function signCompactJws(
  alg: JwsAlgorithm,
  key: KeyObject,
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
): Promise<string> {
  const signingInput = `${segment({ ...header, alg })}.${segment(payload)}`
  return new Promise((resolve, reject) => {
    sign(ALGORITHM_PARAMS[alg].hash, Buffer.from(signingInput), keyInputFor(alg, key), (error, signature) => {
      if (error === null) resolve(`${signingInput}.${signature.toString('base64url')}`)
      else reject(error)
    })
  })
}
