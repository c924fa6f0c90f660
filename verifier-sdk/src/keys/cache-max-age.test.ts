import { describe, expect, it } from 'vitest'
import { cacheMaxAge } from './cache-max-age.ts'

describe('cacheMaxAge', () => {
  it('reads max-age among other directives', () => {
    expect(cacheMaxAge('public, max-age=300')).toBe(300)
    expect(cacheMaxAge('MAX-AGE=60, must-revalidate')).toBe(60)
    expect(cacheMaxAge('max-age="120"')).toBe(120)
    expect(cacheMaxAge('s-maxage=900, max-age=30')).toBe(30)
  })

  it('treats no-store and no-cache as 0', () => {
    expect(cacheMaxAge('no-store')).toBe(0)
    expect(cacheMaxAge('max-age=600, no-cache')).toBe(0)
  })

  it('says nothing for an absent or unusable header', () => {
    expect(cacheMaxAge(null)).toBeUndefined()
    expect(cacheMaxAge('public')).toBeUndefined()
    expect(cacheMaxAge('max-age=-5')).toBeUndefined()
    expect(cacheMaxAge('max-age=1e9')).toBeUndefined()
    expect(cacheMaxAge('max-age=')).toBeUndefined()
  })
})
