// The `amr` (RFC 8176 §2) a login's steps record and the `acr` class (OpenID Connect Core §2) it
// asserts: two kinds of factor make `mfa`; a passkey is multi-factor and phishing-resistant.
import { describe, expect, it } from 'vitest'
import {
  ACR_VALUES,
  acrMet,
  authenticationOf,
  combineAmr,
  MFA_ACR,
  OTP_AMR,
  PASSKEY_AMR,
  PASSWORD_ACR,
  PASSWORD_AMR,
  PHISHING_RESISTANT_ACR,
} from './acr-values.ts'

describe('combineAmr (RFC 8176 §2)', () => {
  it('a password then a one-time code: pwd, otp and mfa', () => {
    expect(combineAmr(PASSWORD_AMR, OTP_AMR)).toEqual(['pwd', 'otp', 'mfa'])
  })

  it('one kind of factor alone is not mfa', () => {
    expect(combineAmr([], PASSWORD_AMR)).toEqual(['pwd'])
    expect(combineAmr(OTP_AMR, OTP_AMR)).toEqual(['otp'])
  })

  it('a passkey step keeps its own mfa, alone or after a password', () => {
    expect(combineAmr([], PASSKEY_AMR)).toEqual(['hwk', 'user', 'mfa'])
    expect(combineAmr(PASSWORD_AMR, PASSKEY_AMR)).toEqual(['pwd', 'hwk', 'user', 'mfa'])
  })

  it('a login that was mfa stays mfa; no value twice, mfa last', () => {
    const twice = combineAmr(combineAmr(PASSWORD_AMR, OTP_AMR), OTP_AMR)
    expect(twice).toEqual(['pwd', 'otp', 'mfa'])
    const stepUp = combineAmr(['pwd', 'otp', 'mfa'], PASSKEY_AMR)
    expect(stepUp).toEqual(['pwd', 'otp', 'hwk', 'user', 'mfa'])
    expect(new Set(stepUp).size).toBe(stepUp.length)
  })
})

describe('acrMet', () => {
  it('the password class is met by any login', () => {
    expect(acrMet(['pwd'], PASSWORD_ACR)).toBe(true)
  })

  it('the multi-factor class needs mfa', () => {
    expect(acrMet(['pwd'], MFA_ACR)).toBe(false)
    expect(acrMet(['pwd', 'otp'], MFA_ACR)).toBe(false)
    expect(acrMet(['pwd', 'otp', 'mfa'], MFA_ACR)).toBe(true)
    expect(acrMet(PASSKEY_AMR, MFA_ACR)).toBe(true)
  })

  it('the phishing-resistant class needs a key (hwk or swk) and mfa: not a one-time code', () => {
    expect(acrMet(['pwd', 'otp', 'mfa'], PHISHING_RESISTANT_ACR)).toBe(false)
    expect(acrMet(PASSKEY_AMR, PHISHING_RESISTANT_ACR)).toBe(true)
    expect(acrMet(['swk', 'user', 'mfa'], PHISHING_RESISTANT_ACR)).toBe(true)
    expect(acrMet(['hwk'], PHISHING_RESISTANT_ACR)).toBe(false)
  })

  it('a class this issuer does not define is never met', () => {
    expect(acrMet(['pwd', 'otp', 'mfa'], 'urn:other:gold')).toBe(false)
    expect(acrMet(['pwd'], '0')).toBe(false)
  })
})

describe('authenticationOf', () => {
  it('asserts the strongest class the login meets', () => {
    expect(authenticationOf(['pwd'])).toEqual({ amr: ['pwd'], acr: PASSWORD_ACR })
    expect(authenticationOf(['pwd', 'otp', 'mfa'])).toEqual({ amr: ['pwd', 'otp', 'mfa'], acr: MFA_ACR })
    expect(authenticationOf(PASSKEY_AMR).acr).toBe(PHISHING_RESISTANT_ACR)
  })

  it('asserts the strongest of the requested classes the login meets (§3.1.2.1)', () => {
    expect(authenticationOf(PASSKEY_AMR, [MFA_ACR]).acr).toBe(MFA_ACR)
    expect(authenticationOf(PASSKEY_AMR, [PASSWORD_ACR, MFA_ACR]).acr).toBe(MFA_ACR)
    expect(authenticationOf(PASSKEY_AMR, [PASSWORD_ACR]).acr).toBe(PASSWORD_ACR)
    // None of the requested met: the strongest it meets, never a class it does not.
    expect(authenticationOf(['pwd', 'otp', 'mfa'], [PHISHING_RESISTANT_ACR]).acr).toBe(MFA_ACR)
    expect(authenticationOf(['pwd'], ['urn:other:gold']).acr).toBe(PASSWORD_ACR)
  })

  it('an empty amr (a login stored before steps recorded it) was a password', () => {
    expect(authenticationOf([])).toEqual({ amr: ['pwd'], acr: PASSWORD_ACR })
    expect(authenticationOf([], [MFA_ACR]).acr).toBe(PASSWORD_ACR)
  })

  it('acr_values_supported lists the three classes, weakest first', () => {
    expect(ACR_VALUES).toEqual([PASSWORD_ACR, MFA_ACR, PHISHING_RESISTANT_ACR])
  })
})
