import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { verifySignature } from '../jws/verify-signature.ts'

/**
 * Wycheproof RSASSA-PKCS1-v1_5 / SHA-256 / 2048-bit vectors (C2SP/wycheproof testvectors_v1,
 * vendored unchanged in ./fixtures/wycheproof) against the SDK's own signature layer,
 * `verifySignature('RS256', key, signingInput, signature)`, the function `verify()` calls.
 *
 * The signing input is passed as a string the SDK turns into bytes with latin1, so every byte
 * value 0..255 of a vector's raw message maps to exactly one character: the bytes verified are
 * exactly the vector's bytes.
 *
 * valid -> true; invalid -> false; acceptable (tcId 8, "MissingNull": a DigestInfo without the
 * NULL parameters, a legacy encoding) -> we assert only that it resolves to a boolean and never
 * throws (either verdict is safe), and print the outcome: on Node 20's OpenSSL it resolves false.
 */
interface RsaTest {
  readonly tcId: number
  readonly comment: string
  readonly flags: readonly string[]
  readonly msg: string
  readonly sig: string
  readonly result: 'valid' | 'invalid' | 'acceptable'
}
interface RsaGroup {
  readonly keySize: number
  readonly sha: string
  readonly publicKeyPem: string
  readonly keyJwk: JsonWebKey
  readonly tests: readonly RsaTest[]
}
interface RsaVectors {
  readonly algorithm: string
  readonly numberOfTests: number
  readonly testGroups: readonly RsaGroup[]
}

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/wycheproof/rsa_signature_2048_sha256_test.json', import.meta.url), 'utf8'),
) as RsaVectors

function latin1(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1')
}

describe('Wycheproof rsa_signature_2048_sha256_test.json at the SDK signature layer', () => {
  it('is the file we expect (RSASSA-PKCS1-v1_5, SHA-256, 259 cases)', () => {
    expect(vectors.algorithm).toBe('RSASSA-PKCS1-v1_5')
    expect(vectors.testGroups.reduce((n, g) => n + g.tests.length, 0)).toBe(vectors.numberOfTests)
    expect(vectors.numberOfTests).toBe(259)
  })

  vectors.testGroups.forEach((group, index) => {
    it(`group ${index + 1}: every case agrees (key from PEM and from JWK)`, async () => {
      expect(group.sha).toBe('SHA-256')
      const keys = [
        createPublicKey(group.publicKeyPem),
        createPublicKey({ key: group.keyJwk, format: 'jwk' }),
      ]
      const disagreements: string[] = []
      const outcomes: Record<string, number> = {}
      for (const test of group.tests) {
        for (const key of keys) {
          const result: unknown = await verifySignature(
            'RS256',
            key,
            latin1(test.msg),
            Buffer.from(test.sig, 'hex'),
          )
          expect(typeof result).toBe('boolean')
          const expected = test.result === 'valid' ? true : test.result === 'invalid' ? false : result
          if (result !== expected) {
            disagreements.push(
              `tcId ${test.tcId} (${test.result}, ${test.comment || test.flags.join()}): ${result}`,
            )
          }
          const label = `${test.result}->${result}`
          outcomes[label] = (outcomes[label] ?? 0) + 1
        }
      }
      expect(disagreements).toEqual([])
      console.log(`wycheproof rsa pkcs1 group ${index + 1}:`, JSON.stringify(outcomes))
    })
  })
})
