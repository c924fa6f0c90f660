import { describe, expect, it } from 'vitest'
import { StoreConflictError, StoreError } from './core/store-error.ts'
import {
  ConfigError,
  errorDescription,
  IssuerError,
  KeyError,
  OAuthError,
  PasswordError,
  TokensmithError,
} from './errors.ts'

describe('the package errors', () => {
  it('share one base with a stable code and their own name', () => {
    const cause = new Error('driver')
    const errors: [TokensmithError, string, string][] = [
      [new IssuerError('rate_limited', 'Try later.', { retryAfterSec: 3 }), 'IssuerError', 'rate_limited'],
      [new ConfigError('PORT', 'must be a number'), 'ConfigError', 'invalid_config'],
      [new KeyError('keys/a.pem', 'is missing'), 'KeyError', 'invalid_key'],
      [new KeyError('keys/keyset.json', 'no key', 'no_current_key'), 'KeyError', 'no_current_key'],
      [new PasswordError('password_empty', 'password is empty'), 'PasswordError', 'password_empty'],
      [new StoreError('unavailable', 'sqlite: SQLITE_FULL', { cause }), 'StoreError', 'unavailable'],
      [new StoreConflictError('username'), 'StoreConflictError', 'conflict'],
    ]
    for (const [err, name, code] of errors) {
      expect(err).toBeInstanceOf(TokensmithError)
      expect(err).toBeInstanceOf(Error)
      expect({ name: err.name, code: err.code }).toEqual({ name, code })
    }
    expect(errors[5]?.[0].cause).toBe(cause)
  })

  it('keeps the client-facing message apart from the operators’ detail', () => {
    const err = new IssuerError('invalid_token', 'The refresh token is not valid.', {
      detail: 'user_disabled',
    })
    expect({ status: err.status, message: err.message, detail: err.detail }).toEqual({
      status: 401,
      message: 'The refresh token is not valid.',
      detail: 'user_disabled',
    })
    expect(new ConfigError('PORT', 'must be a number')).toMatchObject({
      variable: 'PORT',
      message: 'PORT: must be a number',
    })
  })
})

describe('errorDescription (RFC 6749 §5.2)', () => {
  it('leaves the allowed characters and replaces the rest, so no description breaks a quoted string', () => {
    expect(errorDescription('The scope openid is fine.')).toBe('The scope openid is fine.')
    expect(errorDescription('A "quoted" back\\slash, \u0000 NUL, é, §5.2')).toBe(
      "A 'quoted' back/slash,   NUL,  , section 5.2",
    )
    expect(new OAuthError('invalid_request', 'say "no"').message).toBe("say 'no'")
  })
})
