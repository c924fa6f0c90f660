import { compactVerify, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { createTestKey } from '../testing/test-key.ts'
import type { JwsAlgorithm } from './jws-algorithm.ts'
import { signCompactJws } from './sign-compact-jws.ts'
import { verifySignature } from './verify-signature.ts'

describe('signCompactJws', () => {
  for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] satisfies JwsAlgorithm[]) {
    it(`signs ${alg} as jose and the verifier read it`, async () => {
      const key = createTestKey(alg)
      const jws = await signCompactJws(alg, key.privateKey, { typ: 'JWT', kid: key.kid }, { sub: 'svc' })
      expect(decodeProtectedHeader(jws)).toEqual({ typ: 'JWT', kid: key.kid, alg })
      const publicKey = (await import('node:crypto')).createPublicKey(key.privateKey)
      const { payload } = await compactVerify(jws, publicKey, { algorithms: [alg] })
      expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ sub: 'svc' })
      const [header, body, signature] = jws.split('.') as [string, string, string]
      expect(
        await verifySignature(alg, publicKey, `${header}.${body}`, Buffer.from(signature, 'base64url')),
      ).toBe(true)
    })
  }
})
