import { createPublicKey } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVerifier } from '../create-verifier.ts'
import { type AttackRig, startAttackRig } from '../testing/attack-rig.ts'
import { JWKS_PATH } from '../testing/counting-jwks-server.ts'
import { type HmacAlg, hmacToken, payloadOf } from '../testing/forge.ts'
import { T0, TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'

/**
 * RS/HS confusion: a verifier that lets the token pick HMAC would key it with "the key" it holds,
 * i.e. the public key in whatever form it keeps it. The attacker knows every such form.
 */
function publicKeyEncodings(publicJwk: Record<string, unknown>): Record<string, string | Uint8Array> {
  const key = createPublicKey({ key: publicJwk as { kty: string }, format: 'jwk' })
  const spkiPem = key.export({ type: 'spki', format: 'pem' }).toString()
  const pkcs1Pem = key.export({ type: 'pkcs1', format: 'pem' }).toString()
  const { kty, n, e } = publicJwk
  return {
    'SPKI PEM': spkiPem,
    'SPKI PEM without trailing newline': spkiPem.trimEnd(),
    'SPKI PEM with CRLF line ends': spkiPem.replace(/\n/g, '\r\n'),
    'PKCS#1 PEM': pkcs1Pem,
    'PKCS#1 PEM without trailing newline': pkcs1Pem.trimEnd(),
    'SPKI DER bytes': key.export({ type: 'spki', format: 'der' }),
    'PKCS#1 DER bytes': key.export({ type: 'pkcs1', format: 'der' }),
    'JWK JSON text as published': JSON.stringify(publicJwk),
    'JWK JSON text, bare members': JSON.stringify({ kty, n, e }),
    'JWKS JSON text': JSON.stringify({ keys: [publicJwk] }),
    'modulus bytes': Buffer.from(String(n), 'base64url'),
    'modulus base64url text': String(n),
    'modulus hex text': Buffer.from(String(n), 'base64url').toString('hex'),
  }
}

describe('attack: HS256/384/512 keyed with the public key', () => {
  let rig: AttackRig
  beforeAll(async () => {
    rig = await startAttackRig()
  })
  afterAll(() => rig.close())

  for (const alg of ['HS256', 'HS384', 'HS512'] satisfies HmacAlg[]) {
    it(`refuses ${alg} made with every encoding of the issuer's public key`, async () => {
      const before = rig.server.count(JWKS_PATH)
      const claims = payloadOf(rig.token({ roles: ['admin'] }))
      for (const [name, secret] of Object.entries(publicKeyEncodings(rig.key.publicJwk))) {
        const token = hmacToken(alg, secret, { kid: rig.key.kid, typ: 'at+jwt' }, claims)
        await rig.refused(token).catch((error: unknown) => {
          throw new Error(`${alg} keyed with the ${name}: ${String(error)}`)
        })
      }
      expect(rig.server.count(JWKS_PATH)).toBe(before)
    })
  }

  it('cannot be configured into accepting HMAC at all', () => {
    for (const algorithms of [['HS256'], ['RS256', 'HS256'], ['none'], ['hs256']]) {
      expect(() =>
        createVerifier({
          issuer: TEST_ISSUER,
          audience: TEST_AUDIENCE,
          jwks: { keys: [rig.key.publicJwk] },
          // The point is a value the types forbid, as a JavaScript caller could pass it.
          algorithms: algorithms as unknown as ['RS256'],
          clock: () => T0,
        }),
      ).toThrow(TypeError)
    }
  })
})
