import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { isJwsAlgorithm, type JwsAlgorithm } from '../jws/jws-algorithm.ts'

/** The usable verification keys of one JWKS, by `kid`. Immutable once built. */
export interface KeySet {
  /** The key with this `kid` that may verify `alg`, if any. */
  get(kid: string, alg: JwsAlgorithm): KeyObject | undefined
  readonly kids: ReadonlySet<string>
  /** How many JWKS entries were usable. */
  readonly size: number
}

export const MIN_RSA_BITS = 2048

/** Members that only a private or symmetric key has: such an entry is never used. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const EC_CURVE_BY_ALG: Partial<Record<JwsAlgorithm, string>> = {
  ES256: 'P-256',
  ES384: 'P-384',
  ES512: 'P-521',
}

interface Entry {
  readonly key: KeyObject
  readonly algs: readonly JwsAlgorithm[]
}

function algorithmsFor(jwk: Record<string, unknown>, allowed: readonly JwsAlgorithm[]): JwsAlgorithm[] {
  switch (jwk.kty) {
    case 'RSA':
      return allowed.filter((a) => a.startsWith('RS') || a.startsWith('PS'))
    case 'EC':
      return allowed.filter((a) => EC_CURVE_BY_ALG[a] === jwk.crv)
    case 'OKP':
      return jwk.crv === 'Ed25519' || jwk.crv === 'Ed448' ? allowed.filter((a) => a === 'EdDSA') : []
    default:
      return []
  }
}

function publicMembers(jwk: Record<string, unknown>): JsonWebKey {
  const { kty, n, e, crv, x, y } = jwk
  const pick: Record<string, unknown> = { kty, n, e, crv, x, y }
  for (const name of Object.keys(pick)) if (pick[name] === undefined) delete pick[name]
  return pick as JsonWebKey
}

/** The usable entry, or why this JWKS entry is ignored. */
function importEntry(raw: unknown, allowed: readonly JwsAlgorithm[]): Entry | string {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return 'not an object'
  const jwk = raw as Record<string, unknown>
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0) return 'no kid'
  if (PRIVATE_MEMBERS.some((m) => Object.hasOwn(jwk, m))) return 'private or symmetric key material'
  if (jwk.use !== undefined && jwk.use !== 'sig') return 'use is not sig'
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) {
    return 'key_ops lacks verify'
  }
  let algs = algorithmsFor(jwk, allowed)
  if (jwk.alg !== undefined) algs = isJwsAlgorithm(jwk.alg) ? algs.filter((a) => a === jwk.alg) : []
  if (algs.length === 0) return 'no allowed algorithm fits'
  let key: KeyObject
  try {
    key = createPublicKey({ key: publicMembers(jwk), format: 'jwk' })
  } catch {
    return 'not a valid public key'
  }
  if (jwk.kty === 'RSA' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `RSA key shorter than ${MIN_RSA_BITS} bits`
  }
  // With a tiny or even exponent (e = 1 makes the "signature" the padded digest itself) anyone
  // could forge: only the usual odd exponents of at least 65537 are accepted.
  const exponent = key.asymmetricKeyDetails?.publicExponent
  if (jwk.kty === 'RSA' && (exponent === undefined || exponent < 65537n || exponent % 2n === 0n)) {
    return 'RSA public exponent is not an odd number of at least 65537'
  }
  return { key, algs }
}

/**
 * Builds a key set from a JWKS document. Entries that are unusable for verification (private
 * members, `use` other than sig, an `alg` we do not allow, RSA under 2048 bits, no `kid`, ...)
 * are ignored one by one; a document that is not a JWKS, or that has no usable key, throws.
 */
export function buildKeySet(jwks: unknown, allowed: readonly JwsAlgorithm[]): KeySet {
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray((jwks as { keys?: unknown }).keys)) {
    throw new Error('not a JWKS document (no "keys" array)')
  }
  const byKid = new Map<string, Entry[]>()
  const ignored: string[] = []
  let size = 0
  for (const raw of (jwks as { keys: unknown[] }).keys) {
    const entry = importEntry(raw, allowed)
    if (typeof entry === 'string') {
      ignored.push(entry)
      continue
    }
    const kid = (raw as { kid: string }).kid
    byKid.set(kid, [...(byKid.get(kid) ?? []), entry])
    size++
  }
  if (size === 0) throw new Error(`JWKS has no usable key (${ignored.join('; ') || 'empty'})`)
  return {
    get(kid, alg) {
      const entries = byKid.get(kid)
      if (entries === undefined) return undefined
      for (const entry of entries) if (entry.algs.includes(alg)) return entry.key
      return undefined
    },
    kids: new Set(byKid.keys()),
    size,
  }
}
