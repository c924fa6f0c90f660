import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { isS256Challenge, pkceS256Matches } from './pkce.ts'

// RFC 7636 §4.2: code_challenge = BASE64URL-ENCODE(SHA256(ASCII(code_verifier))).
const VERIFIER = 'dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk'
const CHALLENGE = createHash('sha256').update(VERIFIER, 'ascii').digest('base64url')

describe('PKCE S256 (RFC 7636 §4.6)', () => {
  it('§4.6: the verifier matches its challenge', () => {
    expect(isS256Challenge(CHALLENGE)).toBe(true)
    expect(pkceS256Matches(VERIFIER, CHALLENGE)).toBe(true)
  })

  it('refuses a missing, plain (verifier = challenge), altered or malformed verifier', () => {
    for (const wrong of [
      undefined,
      CHALLENGE,
      `${VERIFIER.slice(0, -1)}l`,
      'short',
      `${VERIFIER}!`,
      'a'.repeat(129),
    ]) {
      expect(pkceS256Matches(wrong, CHALLENGE)).toBe(false)
    }
  })

  it('refuses a challenge that is not 43 base64url characters', () => {
    expect(isS256Challenge(`${CHALLENGE}A`)).toBe(false)
    expect(isS256Challenge(`+${CHALLENGE.slice(1)}`)).toBe(false)
    expect(pkceS256Matches(VERIFIER, `${CHALLENGE}=`)).toBe(false)
  })
})
