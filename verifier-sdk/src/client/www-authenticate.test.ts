// The WWW-Authenticate parser (RFC 9110 section 11.6.1, auth-param and token68 of section 11.2):
// the forms servers send, the edges of the grammar, and properties over generated and arbitrary input.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type AuthChallenge, parseWwwAuthenticate } from './www-authenticate.ts'

/** A challenge as plain data, to compare with toEqual. */
function plain(challenges: AuthChallenge[]) {
  return challenges.map((c) => ({
    scheme: c.scheme,
    params: Object.fromEntries(c.params),
    token68: c.token68,
  }))
}

const parse = (field: string) => plain(parseWwwAuthenticate(field))

describe('parseWwwAuthenticate', () => {
  it("reads RFC 9470 section 3's two examples", () => {
    expect(
      parse(
        'Bearer error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="myACR"',
      ),
    ).toEqual([
      {
        scheme: 'bearer',
        params: {
          error: 'insufficient_user_authentication',
          error_description: 'A different authentication level is required',
          acr_values: 'myACR',
        },
        token68: undefined,
      },
    ])
    expect(
      parse(
        'Bearer error="insufficient_user_authentication", error_description="More recent authentication is required", max_age=5',
      )[0]?.params,
    ).toEqual({
      error: 'insufficient_user_authentication',
      error_description: 'More recent authentication is required',
      max_age: '5',
    })
  })

  it('reads several challenges, with token68, bare ones, empty elements and odd spacing', () => {
    expect(
      parse(
        ' ,Basic realm="a, b", , NEGOTIATE  YII=,Bearer ,Newauth realm = "x"  ,  title="Login to \\"apps\\"",DPoP algs="ES256 PS256"',
      ),
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a, b' }, token68: undefined },
      { scheme: 'negotiate', params: {}, token68: 'YII=' },
      { scheme: 'bearer', params: {}, token68: undefined },
      { scheme: 'newauth', params: { realm: 'x', title: 'Login to "apps"' }, token68: undefined },
      { scheme: 'dpop', params: { algs: 'ES256 PS256' }, token68: undefined },
    ])
  })

  it('lower-cases scheme and param names, keeps values, and keeps the first of a repeated param', () => {
    expect(parse('BeArEr ERROR="Invalid_Token", error="insufficient_user_authentication"')).toEqual([
      { scheme: 'bearer', params: { error: 'Invalid_Token' }, token68: undefined },
    ])
  })

  it('skips a malformed element up to the next comma outside quotes, and reads on', () => {
    expect(parse('Bearer realm="a" junk, error="invalid_token"')).toEqual([
      { scheme: 'bearer', params: { error: 'invalid_token' }, token68: undefined },
    ])
    expect(parse('"quoted, scheme", Bearer error=x')).toEqual([
      { scheme: 'bearer', params: { error: 'x' }, token68: undefined },
    ])
    expect(parse('Bearer error="never ends')).toEqual([{ scheme: 'bearer', params: {}, token68: undefined }])
    expect(parse('Bearer realm=')).toEqual([{ scheme: 'bearer', params: {}, token68: 'realm=' }])
    expect(parse('')).toEqual([])
    expect(parse(' , ,')).toEqual([])
    expect(parse('Bear@r x=1')).toEqual([])
  })

  // Generated challenges, printed the ways the grammar allows, parse back to what was generated.
  const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('')
  const token = fc.array(fc.constantFrom(...tchars), { minLength: 1, maxLength: 8 }).map((a) => a.join(''))
  const token68 = fc
    .tuple(
      fc.array(fc.constantFrom(...'abcXYZ019-._~+/'.split('')), { minLength: 1, maxLength: 10 }),
      fc.integer({ min: 0, max: 2 }),
    )
    .map(([chars, pad]) => chars.join('') + '='.repeat(pad))
  // Any text a quoted-string can carry: qdtext, and quoted-pairs for DQUOTE and backslash.
  const value = fc.string({ unit: fc.constantFrom(...' \t!"#,=\\abc~'.split('')), maxLength: 12 })
  const ows = fc.constantFrom('', ' ', '  ', '\t')
  const challenge = fc.record({
    scheme: token,
    body: fc.oneof(
      fc.record({ token68 }),
      fc.record({
        params: fc.uniqueArray(fc.tuple(token, value, fc.boolean()), {
          maxLength: 4,
          selector: ([name]) => name.toLowerCase(),
        }),
      }),
    ),
  })

  it('property: printed challenges parse back, whatever the spacing and the quoting', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(challenge, ows, ows, ows), { maxLength: 4 }), (items) => {
        const printed = items.map(([c, a, b, e]) => {
          if ('token68' in c.body) return `${c.scheme} ${c.body.token68}`
          const params = c.body.params.map(([name, v, bare]) => {
            const tokenLike = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v)
            return `${name}${a}=${b}${bare && tokenLike ? v : `"${v.replace(/["\\]/g, '\\$&')}"`}`
          })
          return params.length === 0 ? c.scheme : `${c.scheme} ${params.join(`${e},${a}`)}`
        })
        const field = printed.join(`${items[0]?.[3] ?? ''}, `)
        expect(parse(field)).toEqual(
          items.map(([c]) => ({
            scheme: c.scheme.toLowerCase(),
            params:
              'params' in c.body
                ? Object.fromEntries(c.body.params.map(([n, v]) => [n.toLowerCase(), v]))
                : {},
            token68: 'token68' in c.body ? c.body.token68 : undefined,
          })),
        )
      }),
      { numRuns: 1000 },
    )
  })

  it('property: any input parses without throwing, into lower-cased schemes and string values', () => {
    const piece = fc.oneof(
      fc.constantFrom('Bearer', ' ', ',', '"', '\\', '=', 'error', 'acr_values', 'max_age=5', 'Basic abc=='),
      fc.string({ maxLength: 6 }),
      fc.string({ unit: 'grapheme', maxLength: 4 }),
    )
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        for (const c of parseWwwAuthenticate(pieces.join(''))) {
          expect(c.scheme).toMatch(/^[!#$%&'*+\-.^_`|~0-9a-z]+$/)
          for (const [name, v] of c.params) {
            expect(name).toBe(name.toLowerCase())
            expect(typeof v).toBe('string')
          }
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('reads a long field of many params and an unterminated quote to its end', () => {
    const field = `Bearer ${'a="\\"",'.repeat(20_000)}b=1, "${'x'.repeat(20_000)}`
    expect(parse(field)).toEqual([{ scheme: 'bearer', params: { a: '"', b: '1' }, token68: undefined }])
  })
})
