import { createPublicKey } from 'node:crypto'
import { compactVerify, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { verifySignature } from './verify-signature.ts'

// RFC 7515 appendix A.2: the RS256 example JWS and the public half of its RSA key.
const RFC7515_A2_JWK = {
  kty: 'RSA',
  n:
    'ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-' +
    'SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-' +
    'UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2eth' +
    'FkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ',
  e: 'AQAB',
}
const RFC7515_A2_JWS =
  'eyJhbGciOiJSUzI1NiJ9' +
  '.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ' +
  '.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJd' +
  'bF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN938' +
  '3LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWy' +
  'wlVmtVrBp0igcN_IoypGlUPQGe77Rw'

function split(jws: string): { signingInput: string; signature: Buffer } {
  const last = jws.lastIndexOf('.')
  return { signingInput: jws.slice(0, last), signature: Buffer.from(jws.slice(last + 1), 'base64url') }
}

function flipBit(jws: string, part: 'payload' | 'signature'): string {
  const [h, p, s] = jws.split('.') as [string, string, string]
  const bytes = Buffer.from(part === 'payload' ? p : s, 'base64url')
  bytes[7] = (bytes[7] ?? 0) ^ 0x01
  const flipped = bytes.toString('base64url')
  return part === 'payload' ? `${h}.${flipped}.${s}` : `${h}.${p}.${flipped}`
}

describe('verifySignature: RFC 7515 appendix A.2 (RS256)', () => {
  const key = createPublicKey({ key: RFC7515_A2_JWK, format: 'jwk' })

  it('is a 2048-bit key, so the SDK would accept it in a JWKS', () => {
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('verifies the example', async () => {
    const { signingInput, signature } = split(RFC7515_A2_JWS)
    await expect(verifySignature('RS256', key, signingInput, signature)).resolves.toBe(true)
  })

  it('refuses a bit-flipped signature or payload', async () => {
    for (const part of ['signature', 'payload'] as const) {
      const { signingInput, signature } = split(flipBit(RFC7515_A2_JWS, part))
      await expect(verifySignature('RS256', key, signingInput, signature)).resolves.toBe(false)
    }
  })

  it('refuses the example under another algorithm', async () => {
    const { signingInput, signature } = split(RFC7515_A2_JWS)
    await expect(verifySignature('PS256', key, signingInput, signature)).resolves.toBe(false)
    await expect(verifySignature('RS384', key, signingInput, signature)).resolves.toBe(false)
  })

  it('agrees with jose compactVerify on both', async () => {
    const joseKey = await importJWK(RFC7515_A2_JWK, 'RS256')
    const { payload } = await compactVerify(RFC7515_A2_JWS, joseKey)
    expect(new TextDecoder().decode(payload)).toContain('"iss":"joe"')
    await expect(compactVerify(flipBit(RFC7515_A2_JWS, 'signature'), joseKey)).rejects.toThrow()
  })
})
