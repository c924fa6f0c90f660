import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateFirstKey } from './generate-first-key.ts'
import { readManifest } from './key-manifest.ts'
import { currentKeyAt, keyScheduleAt } from './key-schedule.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-first-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('generateFirstKey', () => {
  it('writes a key that signs at once and a standby into an empty directory, and nothing once one exists', async () => {
    const now = Date.parse('2026-06-01T10:00:00.000Z')
    const clock = () => now
    const keysDir = join(dir, 'keys')
    const first = await generateFirstKey({ dir: keysDir, clock, retireAfterSec: 960 })
    expect(first?.alg).toBe('RS256')
    const manifest = await readManifest(keysDir)
    expect(manifest.retireAfterSec).toBe(960)
    expect(currentKeyAt(manifest, now)?.kid).toBe(first?.kid)
    const states = keyScheduleAt(manifest, now).map((s) => [s.state, s.key.standby === true])
    expect(states).toEqual([
      ['current', false],
      ['next', true],
    ])
    expect(await generateFirstKey({ dir: keysDir, clock, retireAfterSec: 960 })).toBeUndefined()
    expect((await readManifest(keysDir)).keys).toHaveLength(2)
  })

  it('makes one first key when several instances start together on one directory', async () => {
    const keysDir = join(dir, 'keys')
    const results = await Promise.all(
      [1, 2, 3].map(() => generateFirstKey({ dir: keysDir, clock: Date.now, retireAfterSec: 960 })),
    )
    expect(results.filter((r) => r !== undefined)).toHaveLength(1)
    expect((await readManifest(keysDir)).keys).toHaveLength(2)
  })
})
