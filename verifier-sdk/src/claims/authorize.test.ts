import { describe, expect, it } from 'vitest'
import { VerifyError } from '../errors.ts'
import type { AccessTokenClaims } from './access-token-claims.ts'
import { authorize } from './authorize.ts'

function claims(extra: { roles?: string[]; scope?: string } = {}): AccessTokenClaims {
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
    expect(orders.challenge).toEqual({ scope: "orders:read orders:write" })
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
    for (const requirement of [{ roles: ['admin'] }, { scopes: ['a'] }]) {
      expect(refusal(() => authorize(requirement).check(undefined))).toEqual({
        code: 'missing_token',
        claim: undefined,
        reason: 'missing',
      })
    }
  })

  it('validates the values once, naming the factory', () => {
    expect(() => authorize({ roles: [] })).toThrow(/^requireRole: /)
    expect(() => authorize({ scopes: ['a b'] })).toThrow(/^requireScope: /)
    expect(() => authorize({ scopes: ['a"b'] })).toThrow(TypeError)
  })
})
