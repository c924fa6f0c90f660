import type { JsonWebKey, KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { VerifyError } from '../errors.ts'
import { decodeJsonSegment } from '../jws/decode-json-segment.ts'
import { isJwsAlgorithm, JWS_ALGORITHMS } from '../jws/jws-algorithm.ts'
import { splitCompactJws } from '../jws/split-compact-jws.ts'
import { verifySignature } from '../jws/verify-signature.ts'
import { buildKeySet } from '../keys/key-set.ts'

/**
 * Wycheproof json_web_signature_test.json (C2SP/wycheproof testvectors_v1, vendored unchanged):
 * each JWS with the group's public key published as the only JWKS entry,
 * through the SDK's compact parser, key set and signature layer. Groups the SDK cannot take by
 * design are checked for that: HMAC keys (no `public` member) and keys meant for encryption are
 * refused. The vectors' payloads are not access tokens, so `verify()` as a whole would refuse
 * them all; the layers below it are where these vectors say something.
 */
interface JwsTest {
  readonly tcId: number
  readonly comment: string
  readonly jws: unknown
  readonly result: 'valid' | 'invalid' | 'acceptable'
}
interface JwsGroup {
  readonly comment: string
  readonly public?: JsonWebKey & { alg?: string; kid?: string }
  readonly private?: JsonWebKey & { alg?: string; kid?: string; use?: string; key_ops?: string[] }
  readonly tests: readonly JwsTest[]
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/wycheproof/json_web_signature_test.json', import.meta.url), 'utf8'),
) as { readonly testGroups: readonly JwsGroup[] }

/**
 * The SDK's verdict below the claims, as `verify()` reaches it: compact JWS, the header's alg,
 * the key entry picked by the key set (which honours the JWK's own `alg`), then the signature.
 */
async function verdict(jws: unknown, publicJwk: JsonWebKey): Promise<boolean> {
  if (typeof jws !== 'string') return false
  let parts: ReturnType<typeof splitCompactJws>
  let alg: unknown
  try {
    parts = splitCompactJws(jws)
    alg = decodeJsonSegment(parts.headerSegment, 'header').alg
  } catch (error) {
    expect(error).toBeInstanceOf(VerifyError)
    return false
  }
  if (!isJwsAlgorithm(alg)) return false
  let key: KeyObject | undefined
  try {
    key = buildKeySet({ keys: [{ ...publicJwk, kid: 'k' }] }, JWS_ALGORITHMS).get('k', alg)
  } catch {
    return false // no usable key in the entry
  }
  return key !== undefined && verifySignature(alg, key, parts.signingInput, parts.signature)
}

/**
 * Where the SDK and the vectors part ways, on purpose. Any other disagreement fails the test.
 * - empty payload: a JWS with an empty payload segment is refused by the compact parser, since an
 *   access token always carries a claims object;
 * - RFC 7520 figure 20: the token is PS384 but the vector's key says `alg: PS256`; the SDK uses a
 *   key only for the algorithm its JWK names (RFC 7517 4.4), so it refuses;
 * - RFC 7520 figure 27: the key says `alg: ES521`, which is no JWS algorithm (P-521 is ES512), so
 *   the key set ignores the key.
 */
const INTENDED: Readonly<Record<number, string>> = {
  259: 'empty payload',
  264: 'empty payload',
  268: 'empty payload',
  272: 'empty payload',
  320: 'empty payload',
  325: 'empty payload',
  346: 'key alg PS256, token PS384',
  350: 'key alg PS256, token PS384',
  347: 'key alg ES521 is not a JWS algorithm',
  351: 'key alg ES521 is not a JWS algorithm',
}

describe('Wycheproof json_web_signature_test.json at the SDK parser, key-set and signature layers', () => {
  const withPublicKey = vectors.testGroups.filter((g) => g.public !== undefined)

  it('covers the RSA and EC groups (RS*, PS*, ES256, ES512)', () => {
    expect(withPublicKey.reduce((n, g) => n + g.tests.length, 0)).toBeGreaterThanOrEqual(350)
  })

  for (const group of withPublicKey) {
    it(`${group.comment} (${group.public?.alg}, ${group.tests.length} cases)`, async () => {
      const disagreements: string[] = []
      for (const test of group.tests) {
        const accepted = await verdict(test.jws, group.public as JsonWebKey)
        if (test.result === 'acceptable' || accepted === (test.result === 'valid')) continue
        const why = INTENDED[test.tcId]
        if (why === undefined || accepted)
          disagreements.push(`tcId ${test.tcId} ${test.comment}: ${test.result} but ${accepted}`)
      }
      expect(disagreements).toEqual([])
    })
  }

  it('refuses every key meant for encryption (use enc, key_ops without verify) at the key set', () => {
    const encryptionGroups = vectors.testGroups.filter((g) => /encryption/.test(g.comment))
    expect(encryptionGroups.length).toBeGreaterThan(0)
    for (const group of encryptionGroups) {
      const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicPart } = group.private ?? {}
      const jwk = { kid: 'wycheproof', ...publicPart }
      expect(() => buildKeySet({ keys: [jwk] }, ['RS256', 'PS256', 'ES256'])).toThrow(/no usable key/)
      expect(group.tests.every((t) => t.result === 'invalid')).toBe(true)
    }
  })

  it('HMAC groups: the SDK refuses HS256 at the header, whatever the key (no HMAC algorithm exists in it)', () => {
    const hmacGroups = vectors.testGroups.filter((g) => g.private?.kty === 'oct')
    expect(hmacGroups.length).toBeGreaterThan(0)
    expect(isJwsAlgorithm('HS256')).toBe(false)
  })
})
