import { describe, expect, it } from 'vitest'
import { firstPartyPublicClient } from './client-record.ts'
import { ACCOUNT_SCOPE, grantScope, narrowScope } from './grant-scope.ts'

const client = { ...firstPartyPublicClient('web', 0), scopes: ['orders:read', 'orders:write'] }
const thirdParty = { ...client, firstParty: false }

describe('grantScope (RFC 6749 §3.3)', () => {
  it('defaults to every allowed scope, never the account scope', () => {
    expect(grantScope(undefined, { ...client, scopes: [...client.scopes, ACCOUNT_SCOPE] })).toEqual({
      ok: true,
      scope: ['orders:read', 'orders:write'],
    })
  })
  it('grants what is asked within the allowed scopes, once each', () => {
    expect(grantScope('orders:read  orders:read', client)).toEqual({ ok: true, scope: ['orders:read'] })
    expect(grantScope('', client)).toEqual({ ok: true, scope: [] })
  })
  it('refuses a scope not allowed, a malformed one, and account mixed with others', () => {
    expect(grantScope('admin', client).ok).toBe(false)
    expect(grantScope('a"b', client).ok).toBe(false)
    expect(grantScope(`${ACCOUNT_SCOPE} orders:read`, client).ok).toBe(false)
    expect(grantScope('x'.repeat(2000), client).ok).toBe(false)
  })
  it('gives the account scope to first-party clients only', () => {
    expect(grantScope(ACCOUNT_SCOPE, client)).toEqual({ ok: true, scope: [ACCOUNT_SCOPE] })
    expect(grantScope(ACCOUNT_SCOPE, thirdParty).ok).toBe(false)
  })
})

describe('narrowScope (RFC 6749 §6)', () => {
  it('keeps the granted scope, or narrows it, never widens', () => {
    expect(narrowScope(undefined, ['a', 'b'])).toEqual({ ok: true, scope: ['a', 'b'] })
    expect(narrowScope('b', ['a', 'b'])).toEqual({ ok: true, scope: ['b'] })
    expect(narrowScope('c', ['a', 'b']).ok).toBe(false)
  })
})
