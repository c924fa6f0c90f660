import { describe, expect, it } from 'vitest'
import { VerifyError } from '../errors.ts'
import { parseBearerToken } from './parse-bearer-token.ts'

function codeOf(header: string | undefined): string {
  try {
    return `token:${parseBearerToken(header)}`
  } catch (error) {
    return error instanceof VerifyError ? error.code : 'unexpected'
  }
}

describe('parseBearerToken', () => {
  it('takes exactly one token68 after a case-insensitive Bearer', () => {
    expect(codeOf('Bearer abc.def.ghi')).toBe('token:abc.def.ghi')
    expect(codeOf('bEaReR abc')).toBe('token:abc')
    expect(codeOf('Bearer   abc')).toBe('token:abc')
    expect(codeOf('Bearer a-b_c~d+e/f==')).toBe('token:a-b_c~d+e/f==')
  })

  it('calls no header, or another scheme, missing_token', () => {
    expect(codeOf(undefined)).toBe('missing_token')
    expect(codeOf('')).toBe('missing_token')
    expect(codeOf('Basic dXNlcjpwYXNz')).toBe('missing_token')
    expect(codeOf('Bearerabc')).toBe('missing_token')
  })

  it('calls a malformed Bearer header invalid_token', () => {
    for (const header of [
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer a,b',
      'Bearer\tabc',
      'Bearer =abc',
      'Bearer a=b',
    ]) {
      expect(codeOf(header)).toBe('invalid_token')
    }
  })

  it('says why, in the reason', () => {
    const reasonOf = (header: string | undefined) => {
      try {
        return parseBearerToken(header)
      } catch (error) {
        return error instanceof VerifyError ? error.reason : 'unexpected'
      }
    }
    expect([reasonOf(undefined), reasonOf('Basic dXNlcjpwYXNz'), reasonOf('Bearer a b')]).toEqual([
      'missing',
      'other_scheme',
      'malformed',
    ])
  })
})
