import { describe, expect, it } from 'vitest'
import { normalizeUsername } from './normalize-username.ts'

describe('normalizeUsername', () => {
  it('folds case, compatibility forms and surrounding space to one spelling', () => {
    expect(normalizeUsername('Alice')).toBe('alice')
    expect(normalizeUsername('  ALICE\t')).toBe('alice')
    expect(normalizeUsername('Ａｌｉｃｅ')).toBe('alice') // full-width
    expect(normalizeUsername('ﬁona')).toBe('fiona') // ligature
    expect(normalizeUsername('Ops.Bot-1_x@example.com')).toBe('ops.bot-1_x@example.com')
  })

  it('accepts 1 to 64 characters after normalisation', () => {
    expect(normalizeUsername('a')).toBe('a')
    expect(normalizeUsername('a'.repeat(64))).toBe('a'.repeat(64))
    expect(normalizeUsername(` ${'a'.repeat(64)} `)).toBe('a'.repeat(64))
    expect(normalizeUsername('a'.repeat(65))).toBeNull()
    expect(normalizeUsername('')).toBeNull()
    expect(normalizeUsername('   ')).toBeNull()
  })

  it('refuses characters outside [a-z0-9._@-], including look-alikes', () => {
    for (const name of ['al ice', 'alice!', 'zoë', 'аlice' /* Cyrillic a */, 'a/b', 'a\u0000', 'ß', 'a+b']) {
      expect(normalizeUsername(name), name).toBeNull()
    }
    expect(normalizeUsername(42 as unknown as string)).toBeNull()
  })
})
