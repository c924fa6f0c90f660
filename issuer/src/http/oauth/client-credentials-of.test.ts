import { describe, expect, it } from 'vitest'
import { OAuthError } from '../../errors.ts'
import { parseFormParams } from '../oauth-shared/form-params.ts'
import { clientCredentialsOf, JWT_BEARER_ASSERTION } from './client-credentials-of.ts'

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`
const of = (auth: string | undefined, body: string) =>
  clientCredentialsOf(auth, parseFormParams(body), 'default')
const code = (fn: () => unknown) => {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(OAuthError)
    return (err as OAuthError).code
  }
  throw new Error('expected a refusal')
}

describe('form parameters (RFC 6749 §3.2)', () => {
  it('decodes + and percent escapes, treats empty values as absent', () => {
    const form = parseFormParams('a=x+y%21&b=&c')
    expect(form.get('a')).toBe('x y!')
    expect(form.has('b')).toBe(false)
    expect(form.get('c')).toBeUndefined()
  })
  it('refuses a repeated parameter, a broken escape and an oversized value', () => {
    expect(code(() => parseFormParams('grant_type=a&grant_type=b'))).toBe('invalid_request')
    expect(code(() => parseFormParams('a=%E0%A4%A'))).toBe('invalid_request')
    expect(code(() => parseFormParams(`a=${'x'.repeat(5000)}`))).toBe('invalid_request')
    expect(code(() => parseFormParams('').require('grant_type'))).toBe('invalid_request')
  })
})

describe('client credentials of a request (RFC 6749 §2.3, RFC 7523 §2.2)', () => {
  it('reads Basic with form-urlencoded halves, the post body, an assertion, or the id alone', () => {
    expect(of(basic('svc:1', 'p@ss word'), '')).toEqual({
      method: 'client_secret_basic',
      clientId: 'svc:1',
      secret: 'p@ss word',
    })
    expect(of(undefined, 'client_id=svc&client_secret=s')).toEqual({
      method: 'client_secret_post',
      clientId: 'svc',
      secret: 's',
    })
    expect(
      of(
        undefined,
        `client_assertion_type=${encodeURIComponent(JWT_BEARER_ASSERTION)}&client_assertion=a.b.c`,
      ),
    ).toEqual({
      method: 'private_key_jwt',
      clientId: null,
      assertion: 'a.b.c',
    })
    expect(of(undefined, 'client_id=web')).toEqual({ method: 'none', clientId: 'web' })
    expect(of(undefined, '')).toEqual({ method: 'none', clientId: 'default' })
  })
  it('refuses two methods at once, a malformed Basic header and a wrong assertion type', () => {
    expect(code(() => of(basic('a', 'b'), 'client_secret=s&client_id=a'))).toBe('invalid_request')
    expect(code(() => of(basic('a', 'b'), 'client_id=other'))).toBe('invalid_request')
    for (const header of [
      'Basic',
      'Basic !!!',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      'Bearer abc',
      `Basic ${Buffer.from(':x').toString('base64')}`,
    ]) {
      expect(code(() => of(header, ''))).toBe('invalid_request')
    }
    expect(code(() => of(undefined, 'client_assertion_type=urn:other&client_assertion=a.b.c'))).toBe(
      'invalid_request',
    )
    expect(code(() => of(undefined, `client_assertion_type=${JWT_BEARER_ASSERTION}`))).toBe('invalid_request')
    expect(code(() => of(undefined, 'client_secret=s'))).toBe('invalid_request')
  })
})
