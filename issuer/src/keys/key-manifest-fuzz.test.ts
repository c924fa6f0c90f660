// Property test for the keys manifest, which genkeys, operators' hands and older versions all
// write: whatever keyset.json holds, reading it either yields a manifest the schedule can use
// (every state defined, standbys never signing) or refuses with a KeyError naming the file;
// never another exception.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KeyError } from '../errors.ts'
import { MANIFEST_FILE, readManifest, STANDBY_ACTIVATE_AT } from './key-manifest.ts'
import { keyScheduleAt } from './key-schedule.ts'

const RUNS = 300
let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-manifest-fuzz-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const KID = 'A'.repeat(43)
const validEntry = {
  kid: KID,
  alg: 'RS256',
  file: `${KID}.pem`,
  createdAt: '2026-01-01T00:00:00.000Z',
  activateAt: STANDBY_ACTIVATE_AT,
  standby: true,
}
const FIELDS = ['kid', 'alg', 'file', 'createdAt', 'activateAt', 'retiredAt', 'standby'] as const

/** A valid manifest with one field of its standby entry, or of the manifest, replaced by anything. */
const mutated = fc.oneof(
  fc.record({ field: fc.constantFrom(...FIELDS), value: fc.jsonValue() }).map(({ field, value }) => ({
    version: 1,
    retireAfterSec: 960,
    publishLeadSec: 900,
    keys: [{ ...validEntry, [field]: value }],
  })),
  fc
    .record({
      field: fc.constantFrom('version', 'retireAfterSec', 'publishLeadSec', 'keys'),
      value: fc.jsonValue(),
    })
    .map(({ field, value }) => ({
      version: 1,
      retireAfterSec: 960,
      publishLeadSec: 900,
      keys: [validEntry],
      [field]: value,
    })),
  fc.jsonValue(),
)

describe('keys manifest parsing', () => {
  it('loads a usable manifest or refuses with KeyError, whatever keyset.json holds', async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async (doc) => {
        await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(doc))
        let manifest: Awaited<ReturnType<typeof readManifest>>
        try {
          manifest = await readManifest(dir)
        } catch (err) {
          expect(err).toBeInstanceOf(KeyError)
          expect((err as KeyError).message).toContain(MANIFEST_FILE)
          return
        }
        for (const s of keyScheduleAt(manifest, Date.parse('2026-06-01T00:00:00.000Z'))) {
          expect(['next', 'current', 'previous', 'retired']).toContain(s.state)
          if (s.key.standby === true) expect(s.state === 'next' || s.state === 'retired').toBe(true)
        }
      }),
      { numRuns: RUNS },
    )
  })

  it('refuses text that is not JSON with KeyError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), async (text) => {
        fc.pre(!isJson(text))
        await writeFile(join(dir, MANIFEST_FILE), text)
        await expect(readManifest(dir)).rejects.toBeInstanceOf(KeyError)
      }),
      { numRuns: 100 },
    )
  })
})

function isJson(text: string): boolean {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}
