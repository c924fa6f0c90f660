import { describe, expect, it } from 'vitest'
import { VerifyError } from '../errors.ts'
import type { AccessTokenClaims } from './access-token-claims.ts'
import { authorize } from './authorize.ts'
import { TOKENSMITH_ACR } from './tokensmith-acr.ts'

const { password: PASSWORD, mfa: MFA, phishingResistant: PHISHING_RESISTANT } = TOKENSMITH_ACR

function claims(
  extra: { roles?: string[]; scope?: string; acr?: string; auth_time?: number } = {},
): AccessTokenClaims {
  return {
    iss: 'i',
    sub: 's',
    aud: 'a',
    exp: 2,
    iat: 1,
    jti: 'j',
    client_id: 'c',
    sid: 'd',
    roles: [],
    ...extra,
  }
}

/** A service's claims (client_credentials): sub = client_id, no sid. */
function serviceClaims(extra: { roles?: string[]; scope?: string } = {}): AccessTokenClaims {
  return { iss: 'i', sub: 'svc', aud: 'a', exp: 2, iat: 1, jti: 'j', client_id: 'svc', roles: [], ...extra }
}

function refusal(run: () => void): Pick<VerifyError, 'code' | 'claim' | 'reason'> | 'accepted' {
  try {
    run()
    return 'accepted'
  } catch (error) {
    if (!(error instanceof VerifyError)) throw error
    return { code: error.code, claim: error.claim, reason: error.reason }
  }
}

describe('authorize', () => {
  it('lets any one of the roles through, and refuses none of them with insufficient_role', () => {
    const admin = authorize({ roles: ['admin', 'ops'] })
    expect(refusal(() => admin.check(claims({ roles: ['user', 'ops'] })))).toBe('accepted')
    expect(refusal(() => admin.check(claims({ roles: ['user'] })))).toEqual({
      code: 'insufficient_role',
      claim: 'roles',
      reason: 'not_granted',
    })
    expect(admin.challenge).toEqual({})
  })

  it('needs every scope, and refuses a missing one with insufficient_scope', () => {
    const orders = authorize({ scopes: ['orders:read', 'orders:write'] })
    expect(refusal(() => orders.check(claims({ scope: 'orders:write profile orders:read' })))).toBe(
      'accepted',
    )
    for (const scope of ['orders:read', undefined, '']) {
      expect(refusal(() => orders.check(claims(scope === undefined ? {} : { scope })))).toEqual({
        code: 'insufficient_scope',
        claim: 'scope',
        reason: 'not_granted',
      })
    }
    expect(orders.challenge).toEqual({ scope: 'orders:read orders:write' })
  })

  it("refuses a service's token any role, even one it should not hold", () => {
    const admin = authorize({ roles: ['admin'] })
    for (const service of [serviceClaims(), serviceClaims({ roles: ['admin'] })]) {
      expect(refusal(() => admin.check(service))).toEqual({
        code: 'insufficient_role',
        claim: 'roles',
        reason: 'not_granted',
      })
    }
  })

  it("checks a service's scopes as a user's", () => {
    const orders = authorize({ scopes: ['orders:read'] })
    expect(refusal(() => orders.check(serviceClaims({ scope: 'orders:read' })))).toBe('accepted')
    expect(refusal(() => orders.check(serviceClaims({ scope: '' })))).toMatchObject({
      code: 'insufficient_scope',
    })
  })

  it('refuses a request without verified claims with missing_token', () => {
    const requirements = [
      { roles: ['admin'] },
      { scopes: ['a'] },
      { acrValues: ['a'] },
      { maxAgeSec: 60, clock: () => 0 },
    ]
    for (const requirement of requirements) {
      expect(refusal(() => authorize(requirement).check(undefined))).toEqual({
        code: 'missing_token',
        claim: undefined,
        reason: 'missing',
      })
    }
  })

  // RFC 9470 section 3: the resource server lists every acceptable class; no order is implied.
  it('passes exactly the listed acr values, and refuses any other with insufficient_user_authentication', () => {
    const strong = authorize({ acrValues: [MFA, PHISHING_RESISTANT] })
    expect(refusal(() => strong.check(claims({ acr: MFA })))).toBe('accepted')
    expect(refusal(() => strong.check(claims({ acr: PHISHING_RESISTANT })))).toBe('accepted')
    const mfaOnly = authorize({ acrValues: [MFA] })
    expect(refusal(() => mfaOnly.check(claims({ acr: PHISHING_RESISTANT })))).toEqual({
      code: 'insufficient_user_authentication',
      claim: 'acr',
      reason: 'not_granted',
    })
    expect(refusal(() => strong.check(claims({ acr: PASSWORD })))).toMatchObject({ reason: 'not_granted' })
    expect(refusal(() => strong.check(claims()))).toEqual({
      code: 'insufficient_user_authentication',
      claim: 'acr',
      reason: 'missing',
    })
    expect(refusal(() => strong.check(serviceClaims()))).toMatchObject({ claim: 'acr', reason: 'missing' })
    expect(strong.challenge).toEqual({ acrValues: `${MFA} ${PHISHING_RESISTANT}` })
  })

  it('passes an auth_time at most maxAgeSec old on its clock, and refuses an older or missing one', () => {
    const nowMs = 1_900_000_000_000
    const recent = authorize({ maxAgeSec: 300, clock: () => nowMs })
    const at = (ageSec: number) => claims({ auth_time: nowMs / 1000 - ageSec })
    expect(refusal(() => recent.check(at(0)))).toBe('accepted')
    expect(refusal(() => recent.check(at(300)))).toBe('accepted')
    expect(refusal(() => recent.check(at(301)))).toEqual({
      code: 'insufficient_user_authentication',
      claim: 'auth_time',
      reason: 'too_old',
    })
    expect(refusal(() => recent.check(claims()))).toEqual({
      code: 'insufficient_user_authentication',
      claim: 'auth_time',
      reason: 'missing',
    })
    expect(refusal(() => recent.check(serviceClaims()))).toMatchObject({ reason: 'missing' })
    expect(recent.challenge).toEqual({ maxAge: 300 })
  })

  it('validates the values once, naming the factory', () => {
    expect(() => authorize({ acrValues: [] })).toThrow(/^requireAcr: /)
    expect(() => authorize({ acrValues: 'urn:a' as never })).toThrow(/^requireAcr: "values"/)
    expect(() => authorize({ acrValues: ['urn:a urn:b'] })).toThrow(/^requireAcr: /)
    for (const maxAgeSec of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '60' as never]) {
      expect(() => authorize({ maxAgeSec, clock: Date.now })).toThrow(/^requireAuthTime: "maxAgeSec"/)
    }
    expect(() => authorize({ maxAgeSec: 0, clock: 5 as never })).toThrow(/^requireAuthTime: option "clock"/)
    expect(() => authorize({ roles: [] })).toThrow(/^requireRole: /)
    expect(() => authorize({ scopes: ['a b'] })).toThrow(/^requireScope: /)
    expect(() => authorize({ scopes: ['a"b'] })).toThrow(TypeError)
  })
})
