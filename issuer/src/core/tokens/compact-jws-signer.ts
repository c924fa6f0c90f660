// A JWS in compact serialization (RFC 7515 §7.1), signed with node:crypto straight from the
// KeyObject: its callback form runs the signature on libuv's thread pool, like jose's WebCrypto
// path, without WebCrypto's per-call key and promise plumbing. The bytes are the ones jose's
// CompactSign produces for the same protected header and payload (compact-jws-signer.test.ts holds
// them to it); jose still imports keys, builds JWKs and thumbprints.
import { type KeyObject, type SignKeyObjectInput, sign } from 'node:crypto'
import type { SigningAlg } from '../../keys/key-manifest.ts'

/** The digest and key options node:crypto needs for each JWA algorithm (RFC 7518 §3.1, RFC 8037 §3.1). */
function signOptions(alg: SigningAlg): { digest: string | null; dsaEncoding?: 'ieee-p1363' } {
  switch (alg) {
    case 'RS256':
      return { digest: 'sha256' }
    // JWS wants R || S (RFC 7518 §3.4), not DER.
    case 'ES256':
      return { digest: 'sha256', dsaEncoding: 'ieee-p1363' }
    case 'EdDSA':
      return { digest: null }
  }
}

/** Signs payloads (the JSON text of claims) under one key and protected header, encoded once. */
export function compactJwsSigner(
  alg: SigningAlg,
  key: KeyObject,
  header: Record<string, string>,
): (payload: string) => Promise<string> {
  const encodedHeader = Buffer.from(JSON.stringify(header)).toString('base64url')
  const { digest, dsaEncoding } = signOptions(alg)
  const keyInput: KeyObject | SignKeyObjectInput = dsaEncoding === undefined ? key : { key, dsaEncoding }
  return (payload) => {
    const signingInput = `${encodedHeader}.${Buffer.from(payload).toString('base64url')}`
    return new Promise((resolve, reject) => {
      sign(digest, Buffer.from(signingInput), keyInput, (err, signature) => {
        if (err) reject(err)
        else resolve(`${signingInput}.${signature.toString('base64url')}`)
      })
    })
  }
}
