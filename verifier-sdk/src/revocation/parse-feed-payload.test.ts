// The feed payload's checks: every member typed and bounded, `iss` exactly the issuer; a property
// over arbitrary JSON: nothing but Error is thrown, and what passes is well formed.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseFeedPayload } from './parse-feed-payload.ts'

const ISS = 'https://id.example.test'
const good = {
  iss: ISS,
  cursor: 3,
  since: 1,
  sessions: [{ sid: 's', at: 1, until: 2 }],
  users: [{ sub: 'u', before: 1, until: 2 }],
  keys: [{ kid: 'k', event: 'retired', at: 1 }],
}

describe('parseFeedPayload', () => {
  it('accepts a well-formed payload and drops what it does not read', () => {
    expect(parseFeedPayload(good, ISS)).toEqual({
      iss: ISS,
      cursor: 3,
      since: 1,
      sessions: [{ sid: 's', until: 2 }],
      users: [{ sub: 'u', before: 1, until: 2 }],
      keys: [{ kid: 'k', event: 'retired' }],
    })
  })

  it.each([
    ['another issuer', { ...good, iss: `${ISS}/` }],
    ['a negative cursor', { ...good, cursor: -1 }],
    ['a fractional since', { ...good, since: 1.5 }],
    ['a session without sid', { ...good, sessions: [{ until: 2 }] }],
    ['an empty sid', { ...good, sessions: [{ sid: '', until: 2 }] }],
    ['a user with a string before', { ...good, users: [{ sub: 'u', before: '1', until: 2 }] }],
    ['an unknown key event', { ...good, keys: [{ kid: 'k', event: 'revived' }] }],
    ['sessions not a list', { ...good, sessions: {} }],
    [
      'too many keys',
      { ...good, keys: Array.from({ length: 101 }, () => ({ kid: 'k', event: 'published' })) },
    ],
  ])('refuses %s', (_name, payload) => {
    expect(() => parseFeedPayload(payload, ISS)).toThrow(Error)
  })

  it('property: arbitrary JSON values never get through malformed', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          const p = parseFeedPayload(value, ISS)
          expect(Number.isSafeInteger(p.cursor)).toBe(true)
        } catch (error) {
          expect(error).toBeInstanceOf(Error)
        }
      }),
      { numRuns: 1000 },
    )
  })
})
