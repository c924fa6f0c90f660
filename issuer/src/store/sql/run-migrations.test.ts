import { describe, expect, it } from 'vitest'
import { pendingMigrations } from './run-migrations.ts'

const KNOWN = [
  { version: 2, name: 'second' },
  { version: 1, name: 'first' },
  { version: 3, name: 'third' },
]

describe('pendingMigrations', () => {
  it('answers the migrations the database lacks, in version order', () => {
    expect(pendingMigrations(KNOWN, [1]).map((m) => m.version)).toEqual([2, 3])
    expect(pendingMigrations(KNOWN, []).map((m) => m.version)).toEqual([1, 2, 3])
  })

  it('refuses a database migrated by a newer issuer, before applying anything', () => {
    expect(() => pendingMigrations(KNOWN, [1, 2, 3, 7, 5])).toThrow(
      'database schema has migration 7, newer than this issuer knows; upgrade the issuer',
    )
    expect(pendingMigrations(KNOWN, [3, 1, 2])).toEqual([])
  })
})
