import { describe, expect, it } from 'vitest'
import { jwksMaxAgeFor } from './jwks-max-age.ts'

describe('jwksMaxAgeFor', () => {
  it('is a third of the publish lead, at most 300 s', () => {
    expect(jwksMaxAgeFor(0)).toBe(0)
    expect(jwksMaxAgeFor(61)).toBe(20)
    expect(jwksMaxAgeFor(900)).toBe(300)
    expect(jwksMaxAgeFor(86400)).toBe(300)
  })
})
