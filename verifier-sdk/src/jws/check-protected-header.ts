import { VerifyError } from '../errors.ts'
import type { JwsAlgorithm } from './jws-algorithm.ts'

/** Header parameters that would make us fetch or trust a key named by the token itself. */
const KEY_REFERENCES = ['jku', 'jwk', 'x5u', 'x5c'] as const

const ACCEPTED_TYP = new Set(['at+jwt', 'application/at+jwt'])

/**
 * Checks the JOSE header of an access token before any key lookup or RSA work:
 * `alg` pinned, `typ` at+jwt (RFC 9068, case-insensitive), `kid` present, no `crit`
 * (we understand no extension), no key carried or referenced by the token.
 */
export function checkProtectedHeader(
  header: Readonly<Record<string, unknown>>,
  algorithms: readonly JwsAlgorithm[],
): { readonly alg: JwsAlgorithm; readonly kid: string } {
  const { alg, typ, kid } = header
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    throw new VerifyError('invalid_token', {
      claim: 'alg',
      reason: alg === undefined ? 'missing' : 'not_allowed',
      detail: 'alg is not allowed',
    })
  }
  if (typeof typ !== 'string' || !ACCEPTED_TYP.has(typ.toLowerCase())) {
    throw new VerifyError('invalid_token', {
      claim: 'typ',
      reason: typ === undefined ? 'missing' : 'mismatch',
      detail: 'typ is not at+jwt',
    })
  }
  if (Object.hasOwn(header, 'crit')) {
    throw new VerifyError('invalid_token', {
      claim: 'crit',
      reason: 'not_supported',
      detail: 'crit header parameter is not supported',
    })
  }
  for (const name of KEY_REFERENCES) {
    if (Object.hasOwn(header, name)) {
      throw new VerifyError('invalid_token', {
        claim: name,
        reason: 'not_allowed',
        detail: `${name} header parameter is refused`,
      })
    }
  }
  if (typeof kid !== 'string' || kid.length === 0) {
    throw new VerifyError('invalid_token', {
      claim: 'kid',
      reason: kid === undefined ? 'missing' : 'malformed',
      detail: 'kid is missing',
    })
  }
  return { alg: alg as JwsAlgorithm, kid }
}
