import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { accessTokenHash } from './id-token-signer.ts'

describe('at_hash (OpenID Connect Core §3.1.3.6)', () => {
  it('is the base64url of the left half of SHA-256 of the access token for RS256 and ES256', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.e30.sig'
    const expected = createHash('sha256').update(token).digest().subarray(0, 16).toString('base64url')
    expect(accessTokenHash(token, 'RS256')).toBe(expected)
    expect(accessTokenHash(token, 'ES256')).toBe(expected)
    expect(expected).toHaveLength(22)
  })

  it('uses SHA-512 for EdDSA (Ed25519)', () => {
    const expected = createHash('sha512').update('t').digest().subarray(0, 32).toString('base64url')
    expect(accessTokenHash('t', 'EdDSA')).toBe(expected)
  })
})
