// What an authorization request asks of the login's strength (issue 21): `acr_values` (OpenID
// Connect Core §3.1.2.1, voluntary) and the `claims` request for `id_token.acr` (§5.5.1.1,
// voluntary or essential, with `value` or `values`). Only the classes this issuer defines count.
import { describe, expect, it } from 'vitest'
import { acrRequestOf } from './acr-request.ts'
import { MFA_ACR, PASSWORD_ACR, PHISHING_RESISTANT_ACR } from './acr-values.ts'

const claims = (acr: unknown) => JSON.stringify({ id_token: { acr } })

describe('acrRequestOf', () => {
  it('no acr_values and no acr claim: no request', () => {
    expect(acrRequestOf(null, null)).toEqual({ ok: true, acr: null })
    expect(acrRequestOf('', JSON.stringify({ userinfo: { email: null } }))).toEqual({ ok: true, acr: null })
    // §5.5.1: `"acr": null` asks for the claim in the default manner, no class.
    expect(acrRequestOf(null, claims(null))).toEqual({ ok: true, acr: null })
  })

  it('acr_values are voluntary (§3.1.2.1), ranked weakest first whatever their order', () => {
    expect(acrRequestOf(`${PHISHING_RESISTANT_ACR} ${MFA_ACR}`, null)).toEqual({
      ok: true,
      acr: { values: [MFA_ACR, PHISHING_RESISTANT_ACR], essential: false },
    })
  })

  it('drops classes this issuer does not define', () => {
    expect(acrRequestOf(`urn:other:gold ${MFA_ACR} 0`, null)).toEqual({
      ok: true,
      acr: { values: [MFA_ACR], essential: false },
    })
    // Only unknown voluntary classes: a request for nothing this issuer can say, met by any login.
    expect(acrRequestOf('urn:other:gold', null)).toEqual({ ok: true, acr: { values: [], essential: false } })
  })

  it('an essential acr claim with `value` (§5.5.1.1)', () => {
    expect(acrRequestOf(null, claims({ essential: true, value: MFA_ACR }))).toEqual({
      ok: true,
      acr: { values: [MFA_ACR], essential: true },
    })
  })

  it('an essential acr claim with `values`, joined with acr_values', () => {
    expect(
      acrRequestOf(PASSWORD_ACR, claims({ essential: true, values: [PHISHING_RESISTANT_ACR, 'urn:x'] })),
    ).toEqual({ ok: true, acr: { values: [PASSWORD_ACR, PHISHING_RESISTANT_ACR], essential: true } })
  })

  it('a voluntary acr claim (essential absent or false) is not essential', () => {
    expect(acrRequestOf(null, claims({ values: [MFA_ACR] }))).toEqual({
      ok: true,
      acr: { values: [MFA_ACR], essential: false },
    })
    expect(acrRequestOf(null, claims({ essential: false, value: MFA_ACR }))).toEqual({
      ok: true,
      acr: { values: [MFA_ACR], essential: false },
    })
  })

  it('essential with only unknown classes: values [] and essential, which no login meets', () => {
    expect(acrRequestOf(null, claims({ essential: true, values: ['urn:other:gold'] }))).toEqual({
      ok: true,
      acr: { values: [], essential: true },
    })
  })

  it('essential with no value asks only for the claim to be present: not an acr request', () => {
    expect(acrRequestOf(null, claims({ essential: true }))).toEqual({ ok: true, acr: null })
  })

  it('a malformed acr member is refused (§5.5.1)', () => {
    for (const acr of [
      'urn:tokensmith:acr:mfa',
      [MFA_ACR],
      true,
      { essential: 'yes', value: MFA_ACR },
      { value: 1 },
      { values: MFA_ACR },
      { values: [MFA_ACR, 2] },
    ]) {
      const check = acrRequestOf(null, claims(acr))
      expect(check.ok, JSON.stringify(acr)).toBe(false)
      if (!check.ok) expect(check.reason).toMatch(/acr member .* malformed/)
    }
  })
})
