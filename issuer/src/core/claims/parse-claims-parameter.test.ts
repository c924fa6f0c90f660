import { describe, expect, it } from 'vitest'
import { parseClaimsParameter } from './parse-claims-parameter.ts'

const ALL = ['openid', 'profile', 'email']

describe('parseClaimsParameter (OpenID Connect Core §5.5)', () => {
  it('takes the claims asked for in the ID token and at userinfo, essential or not', () => {
    const text = JSON.stringify({
      userinfo: { name: { essential: true }, email: null, nickname: null },
      id_token: { email_verified: { essential: false }, given_name: { value: 'x' } },
    })
    expect(parseClaimsParameter(text, ALL)).toEqual({
      ok: true,
      claims: { userinfo: ['name', 'email'], idToken: ['email_verified', 'given_name'] },
    })
  })

  it('only within the scopes the client is registered for; none left is null', () => {
    const text = JSON.stringify({ userinfo: { name: null, email: null } })
    expect(parseClaimsParameter(text, ['openid', 'email'])).toEqual({
      ok: true,
      claims: { userinfo: ['email'], idToken: [] },
    })
    expect(parseClaimsParameter(text, ['openid'])).toEqual({ ok: true, claims: null })
    expect(parseClaimsParameter(null, ALL)).toEqual({ ok: true, claims: null })
  })

  it('refuses what is not the JSON object §5.5 defines, and an oversized one', () => {
    for (const text of [
      'nope',
      '[]',
      '"x"',
      '{"userinfo":[]}',
      '{"userinfo":{"name":1}}',
      '{"id_token":"x"}',
    ]) {
      expect(parseClaimsParameter(text, ALL).ok, text).toBe(false)
    }
    expect(parseClaimsParameter(JSON.stringify({ userinfo: { name: 'x'.repeat(5000) } }), ALL).ok).toBe(false)
  })
})
