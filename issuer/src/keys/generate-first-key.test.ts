import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateFirstKey } from './generate-first-key.ts'
import { readManifest } from './key-manifest.ts'
import { currentKeyAt } from './key-schedule.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-first-key-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('generateFirstKey', () => {
  it('writes a key that signs at once into an empty directory, and nothing once one exists', async () => {
    const now = Date.parse('2026-06-01T10:00:00.000Z')
    const keysDir = join(dir, 'keys')
    const first = await generateFirstKey({ dir: keysDir, now, retireAfterSec: 960 })
    expect(first?.alg).toBe('RS256')
    const manifest = await readManifest(keysDir)
    expect(manifest.retireAfterSec).toBe(960)
    expect(currentKeyAt(manifest, now)?.kid).toBe(first?.kid)
    expect(await generateFirstKey({ dir: keysDir, now, retireAfterSec: 960 })).toBeUndefined()
    expect((await readManifest(keysDir)).keys).toHaveLength(1)
  })
})
