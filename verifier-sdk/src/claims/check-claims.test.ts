// The user-authentication claims of an access token (RFC 9068 section 2.2.1: acr, amr, auth_time),
// through a real verifier and tokens signed by a test key: exposed typed, refused when mistyped.
import { describe, expect, it } from 'vitest'
import { createVerifier } from '../create-verifier.ts'
import { VerifyError } from '../errors.ts'
import { accessToken, createTestKey, T0, TEST_AUDIENCE, TEST_ISSUER } from '../testing/test-key.ts'
import { TOKENSMITH_ACR } from './tokensmith-acr.ts'

const key = createTestKey('RS256')
const verifier = createVerifier({
  issuer: TEST_ISSUER,
  audience: TEST_AUDIENCE,
  jwks: { keys: [key.publicJwk] },
  clock: () => T0,
  cache: { maxEntries: 10 },
})
const now = T0 / 1000

async function refusal(token: string): Promise<Pick<VerifyError, 'code' | 'claim' | 'reason'>> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(error instanceof VerifyError)) throw new Error('the token was accepted')
  return { code: error.code, claim: error.claim, reason: error.reason }
}

describe('verify(): acr, amr and auth_time (RFC 9068 section 2.2.1)', () => {
  it('exposes them as issued, with authTime in seconds from auth_time', async () => {
    const claims = await verifier.verify(
      accessToken(key, { acr: TOKENSMITH_ACR.mfa, amr: ['pwd', 'otp', 'mfa'], auth_time: now - 60 }),
    )
    expect(claims.acr).toBe('urn:tokensmith:acr:mfa')
    expect(claims.amr).toEqual(['pwd', 'otp', 'mfa'])
    expect(claims.auth_time).toBe(now - 60)
    expect(claims.authTime).toBe(now - 60)
    expect(Object.isFrozen(claims.amr)).toBe(true)
  })

  it('leaves them undefined for a token without them (a service, an older issuer)', async () => {
    const claims = await verifier.verify(accessToken(key))
    expect([claims.acr, claims.amr, claims.auth_time, claims.authTime]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })

  it('keeps the mirror on a cached result too', async () => {
    const token = accessToken(key, { jti: 'cached', auth_time: now - 5 })
    await verifier.verify(token)
    expect((await verifier.verify(token)).authTime).toBe(now - 5)
  })

  it('derives authTime from auth_time alone: a token cannot set it by a claim of that name', async () => {
    expect((await verifier.verify(accessToken(key, { authTime: now }))).authTime).toBeUndefined()
    const claims = await verifier.verify(accessToken(key, { authTime: now, auth_time: now - 600 }))
    expect(claims.authTime).toBe(now - 600)
  })

  it('accepts an auth_time up to the clock tolerance ahead, and an empty amr', async () => {
    const claims = await verifier.verify(accessToken(key, { auth_time: now + 5, amr: [] }))
    expect(claims.authTime).toBe(now + 5)
    expect(claims.amr).toEqual([])
  })

  const refused: [string, Record<string, unknown>, string, string][] = [
    ['acr a number', { acr: 2 }, 'acr', 'malformed'],
    ['acr empty', { acr: '' }, 'acr', 'malformed'],
    ['acr a list', { acr: ['urn:tokensmith:acr:mfa'] }, 'acr', 'malformed'],
    ['acr null', { acr: null }, 'acr', 'malformed'],
    ['amr a string', { amr: 'pwd' }, 'amr', 'malformed'],
    ['amr with a number', { amr: ['pwd', 1] }, 'amr', 'malformed'],
    ['amr an object', { amr: { 0: 'pwd' } }, 'amr', 'malformed'],
    ['auth_time a string', { auth_time: String(now) }, 'auth_time', 'malformed'],
    ['auth_time null', { auth_time: null }, 'auth_time', 'malformed'],
    // Ahead of the clock it would pass every requireAuthTime for as long as the token lives.
    ['auth_time in the future', { auth_time: now + 60 }, 'auth_time', 'in_future'],
  ]
  for (const [name, claims, claim, reason] of refused) {
    it(`refuses ${name} as invalid_token`, async () => {
      expect(await refusal(accessToken(key, claims))).toEqual({ code: 'invalid_token', claim, reason })
    })
  }
})
