import { describe, expect, it } from 'vitest'
import { pendingMigrations, runMigrations } from './run-migrations.ts'

const KNOWN = [
  { version: 2, name: 'second' },
  { version: 1, name: 'first' },
  { version: 3, name: 'third' },
]

describe('runMigrations', () => {
  it('applies and records each pending migration in version order, synchronously for a sync driver', () => {
    const steps: string[] = []
    const result = runMigrations(KNOWN, [1], {
      apply: (m) => {
        steps.push(`apply ${m.version}`)
      },
      record: (m) => {
        steps.push(`record ${m.version}`)
      },
    })
    expect(result).toBeUndefined()
    expect(steps).toEqual(['apply 2', 'record 2', 'apply 3', 'record 3'])
  })

  it('waits for each step of an async driver before the next', async () => {
    const steps: string[] = []
    const later = (what: string) =>
      new Promise<void>((resolve) => setTimeout(() => resolve(void steps.push(what)), 1))
    const done = runMigrations(KNOWN, [], {
      apply: (m) => later(`apply ${m.version}`),
      record: (m) => later(`record ${m.version}`),
    })
    expect(done).toBeInstanceOf(Promise)
    await done
    expect(steps).toEqual(['apply 1', 'record 1', 'apply 2', 'record 2', 'apply 3', 'record 3'])
  })

  it('stops at the first failure, leaving the rest to the rolled-back transaction', async () => {
    const recorded: number[] = []
    const run = runMigrations(KNOWN, [], {
      apply: async (m) => {
        if (m.version === 2) throw new Error('bad migration')
      },
      record: async (m) => {
        recorded.push(m.version)
      },
    })
    await expect(run).rejects.toThrow('bad migration')
    expect(recorded).toEqual([1])
  })

  it('refuses a database migrated by a newer issuer, before applying anything', () => {
    expect(() => pendingMigrations(KNOWN, [1, 2, 3, 7, 5])).toThrow(
      'database schema has migration 7, newer than this issuer knows; upgrade the issuer',
    )
    expect(pendingMigrations(KNOWN, [3, 1, 2])).toEqual([])
  })
})
