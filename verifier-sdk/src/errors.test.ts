import { describe, expect, it } from 'vitest'
import {
  InsufficientUserAuthenticationError,
  isVerifyError,
  TokenClientError,
  TokensmithSdkError,
  VerifyError,
} from './errors.ts'

describe('the package errors', () => {
  it('share one base class and keep their own names', () => {
    const verify = new VerifyError('invalid_token', {
      reason: 'bad_signature',
      detail: 'signature does not verify',
    })
    const client = new TokenClientError('reuse_detected', 401, 'The refresh token was reused.')
    for (const error of [verify, client]) {
      expect(error).toBeInstanceOf(TokensmithSdkError)
      expect(error).toBeInstanceOf(Error)
    }
    expect([verify.name, client.name]).toEqual(['VerifyError', 'TokenClientError'])
    expect(isVerifyError(verify)).toBe(true)
    expect(isVerifyError(client)).toBe(false)
  })

  it('carry a cause only when given one', () => {
    const cause = new Error('connect ECONNREFUSED')
    expect(
      Object.hasOwn(new VerifyError('keys_unavailable', { reason: 'stale', detail: 'down' }), 'cause'),
    ).toBe(false)
    expect(
      new VerifyError('keys_unavailable', { reason: 'refresh_failed', detail: 'down', cause }).cause,
    ).toBe(cause)
  })

  it('answer insufficient_user_authentication with 401, from the middleware and to the client (RFC 9470)', () => {
    const refusal = new VerifyError('insufficient_user_authentication', { reason: 'too_old', detail: '' })
    expect([refusal.status, refusal.message]).toEqual([
      401,
      'A stronger or more recent authentication of the user is required.',
    ])
    const values = ['urn:tokensmith:acr:mfa']
    const stepUp = new InsufficientUserAuthenticationError(values, 300)
    values.push('changed')
    expect(stepUp).toBeInstanceOf(TokensmithSdkError)
    expect(stepUp).not.toBeInstanceOf(TokenClientError)
    expect(stepUp).toMatchObject({
      name: 'InsufficientUserAuthenticationError',
      code: 'insufficient_user_authentication',
      status: 401,
      acrValues: ['urn:tokensmith:acr:mfa'],
      maxAge: 300,
    })
    expect(Object.isFrozen(stepUp.acrValues)).toBe(true)
  })
})
