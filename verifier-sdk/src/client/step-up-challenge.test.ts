// The RFC 9470 section 3 challenge as the token clients read it, against the challenges the SDK's
// own middleware prints (the two halves agree) and the forms other resource servers may send.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InsufficientUserAuthenticationError, TokensmithSdkError, VerifyError } from '../errors.ts'
import { authErrorResponse } from '../middleware/auth-error-response.ts'
import { stepUpChallengeOf } from './step-up-challenge.ts'

const read = (field: string | null) => {
  const error = stepUpChallengeOf(field)
  return error === undefined ? undefined : { acrValues: error.acrValues, maxAge: error.maxAge }
}

describe('stepUpChallengeOf', () => {
  it('reads acr_values and max_age of the RFC 9470 examples into a typed error', () => {
    const error = stepUpChallengeOf(
      'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
    )
    expect(error).toBeInstanceOf(InsufficientUserAuthenticationError)
    expect(error).toBeInstanceOf(TokensmithSdkError)
    expect(error).toMatchObject({
      code: 'insufficient_user_authentication',
      status: 401,
      acrValues: ['myACR'],
    })
    expect(error?.maxAge).toBeUndefined()
    expect(
      read(
        'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age=5',
      ),
    ).toEqual({ acrValues: [], maxAge: 5 })
  })

  it('finds the Bearer challenge among several, and takes a quoted max_age and loose spaces', () => {
    expect(
      read(
        'DPoP algs="ES256", error="insufficient_user_authentication", Basic realm="x, y", bearer  realm="api" ,error = "insufficient_user_authentication", acr_values=" urn:a   urn:b ", max_age="300"',
      ),
    ).toEqual({ acrValues: ['urn:a', 'urn:b'], maxAge: 300 })
  })

  it('is undefined for other errors and other schemes, and ignores a max_age that is no whole number', () => {
    expect(read(null)).toBeUndefined()
    expect(read('Bearer realm="api", error="invalid_token"')).toBeUndefined()
    expect(read('DPoP error="insufficient_user_authentication", acr_values="a"')).toBeUndefined()
    expect(read('Bearer error_description="error=\\"insufficient_user_authentication\\""')).toBeUndefined()
    for (const maxAge of ['-1', '1.5', 'soon', '9999999999999999', '']) {
      expect(read(`Bearer error="insufficient_user_authentication", max_age="${maxAge}"`)).toEqual({
        acrValues: [],
        maxAge: undefined,
      })
    }
  })

  it("property: what the SDK's middleware answers, the SDK's clients read back, beside other challenges", () => {
    const acr = fc.stringMatching(/^[\x21\x23-\x5b\x5d-\x7e]{1,20}$/)
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ acrValues: fc.array(acr, { minLength: 1, maxLength: 4 }) }),
          fc.record({ maxAge: fc.nat({ max: 10 ** 9 }) }),
        ),
        fc.constantFrom('', 'DPoP algs="ES256 PS256", ', 'Basic realm="a, \\"b\\"", '),
        (requirement, before) => {
          const error = new VerifyError('insufficient_user_authentication', {
            reason: 'not_granted',
            detail: '',
          })
          const { status, headers } = authErrorResponse(
            error,
            'acrValues' in requirement
              ? { acrValues: requirement.acrValues.join(' ') }
              : { maxAge: requirement.maxAge },
          )
          expect(status).toBe(401)
          expect(read(before + headers['www-authenticate'])).toEqual({
            acrValues: 'acrValues' in requirement ? requirement.acrValues : [],
            maxAge: 'maxAge' in requirement ? requirement.maxAge : undefined,
          })
        },
      ),
      { numRuns: 500 },
    )
  })
})
