import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { KeyError } from '../errors.ts'
import { ensureStandby } from './ensure-standby.ts'
import { generateKey } from './generate-key.ts'
import { MANIFEST_FILE, readManifest, STANDBY_ACTIVATE_AT } from './key-manifest.ts'
import { createKeyRing } from './key-ring.ts'
import { keyScheduleAt } from './key-schedule.ts'
import { withKeysDirLock } from './keys-dir-lock.ts'
import { rotateIfOlder } from './rotate-if-older.ts'
import { rotateKeys } from './rotate-keys.ts'

const T0 = Date.parse('2026-03-01T12:00:00.000Z')
const MIN = 60_000
const DAY = 24 * 60 * MIN
let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-rotate-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function states(now: number): Promise<Array<[string, string, boolean]>> {
  return keyScheduleAt(await readManifest(dir), now).map((s) => [s.key.kid, s.state, s.key.standby === true])
}

describe('rotateKeys', () => {
  it('makes an empty directory a signing key and a published standby', async () => {
    const r = await rotateKeys({ dir, now: T0 })
    expect(r).toMatchObject({ how: 'created', signsFrom: T0, createdStandby: true })
    expect(await states(T0)).toEqual([
      [r.signing.kid, 'current', false],
      [r.standby.kid, 'next', true],
    ])
    const raw = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'))
    expect(raw.version).toBe(1)
    expect(raw.keys[1]).toMatchObject({ standby: true, activateAt: STANDBY_ACTIVATE_AT })
    // The issuer's ring publishes the standby and signs with the other.
    const ring = await createKeyRing({ dir, clock: () => T0 })
    expect(ring.signingKey(T0).kid).toBe(r.signing.kid)
    expect(ring.jwks(T0).keys.map((k) => k.kid)).toEqual([r.signing.kid, r.standby.kid])
  })

  it('routine: the standby signs once published for the lead, and a new standby replaces it', async () => {
    const first = await rotateKeys({ dir, now: T0 })
    const early = await rotateKeys({ dir, now: T0 + 5 * MIN })
    expect(early.how).toBe('promoted')
    expect(early.signing.kid).toBe(first.standby.kid)
    expect(early.signsFrom).toBe(T0 + 15 * MIN) // created at T0, 15-minute lead
    expect(early.createdStandby).toBe(true)
    expect(await states(T0 + 5 * MIN)).toEqual([
      [first.signing.kid, 'current', false],
      [first.standby.kid, 'next', false],
      [early.standby.kid, 'next', true],
    ])
    // A standby published long ago signs at once.
    const late = await rotateKeys({ dir, now: T0 + 30 * DAY })
    expect(late).toMatchObject({ signsFrom: T0 + 30 * DAY, how: 'promoted' })
    expect(late.signing.kid).toBe(early.standby.kid)
  })

  it('emergency: the published key that waited longest signs at once; never an unpublished one', async () => {
    const first = await rotateKeys({ dir, now: T0 })
    const now = T0 + DAY
    const r = await rotateKeys({ dir, now, emergency: true, alg: 'ES256' })
    expect(r).toMatchObject({ how: 'promoted', signsFrom: now, publishedForMs: DAY })
    expect(r.signing.kid).toBe(first.standby.kid)
    expect(r.signing.alg).toBe('RS256') // the promoted key keeps its algorithm; new keys get --alg
    expect(r.standby.alg).toBe('ES256')
    expect(await states(now)).toEqual([
      [first.signing.kid, 'previous', false],
      [first.standby.kid, 'current', false],
      [r.standby.kid, 'next', true],
    ])
    const ring = await createKeyRing({ dir, clock: () => now })
    expect(ring.signingKey(now).kid).toBe(first.standby.kid)
    expect(ring.jwks(now).keys.map((k) => k.kid)).toContain(first.signing.kid)
  })

  it('emergency on a manifest from before standbys: refused with no_standby_key, nothing written', async () => {
    await generateKey({ dir, now: T0 })
    const before = await readFile(join(dir, MANIFEST_FILE), 'utf8')
    const err = await rotateKeys({ dir, now: T0 + MIN, emergency: true }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(KeyError)
    expect((err as KeyError).code).toBe('no_standby_key')
    expect(await readFile(join(dir, MANIFEST_FILE), 'utf8')).toBe(before)
    // A routine rotation there: a key after the lead (as before standbys), plus a standby.
    const r = await rotateKeys({ dir, now: T0 + MIN })
    expect(r).toMatchObject({ how: 'created', signsFrom: T0 + 16 * MIN, createdStandby: true })
  })

  it('loads a version 1 manifest written before standbys existed, unchanged', async () => {
    const a = await generateKey({ dir, now: T0 })
    const b = await generateKey({ dir, now: T0 + MIN })
    const old = {
      version: 1,
      retireAfterSec: 960,
      publishLeadSec: 900,
      keys: [a.entry, b.entry].map(({ kid, alg, file, createdAt, activateAt }) => ({
        kid,
        alg,
        file,
        createdAt,
        activateAt,
      })),
    }
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(old))
    const ring = await createKeyRing({ dir, clock: () => T0 + 2 * MIN })
    expect(ring.signingKey(T0 + 2 * MIN).kid).toBe(a.entry.kid)
    expect(ring.jwks(T0 + 2 * MIN).keys).toHaveLength(2)
    expect(await ensureStandby({ dir, now: T0 + 2 * MIN })).toMatchObject({ standby: true })
    expect(await ensureStandby({ dir, now: T0 + 3 * MIN })).toBeUndefined()
  })

  it('refuses a standby field that is not true', async () => {
    await rotateKeys({ dir, now: T0 })
    const raw = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'))
    raw.keys[1].standby = 'yes'
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(raw))
    await expect(readManifest(dir)).rejects.toThrow(/keys\[1\]\.standby must be true/)
  })
})

describe('rotateIfOlder', () => {
  it('rotates only a current key at least that old, and is idempotent', async () => {
    const first = await rotateKeys({ dir, now: T0 })
    const fresh = await rotateIfOlder({ dir, now: T0 + 29 * DAY, maxAgeSec: 30 * 86_400 })
    expect(fresh).toMatchObject({ rotated: false, reason: 'fresh', kid: first.signing.kid, ageMs: 29 * DAY })
    const due = await rotateIfOlder({ dir, now: T0 + 30 * DAY, maxAgeSec: 30 * 86_400 })
    expect(due.rotated).toBe(true)
    if (!due.rotated) throw new Error('unreachable')
    expect(due.rotation.signing.kid).toBe(first.standby.kid)
    expect(due.rotation.signsFrom).toBe(T0 + 30 * DAY)
    const again = await rotateIfOlder({ dir, now: T0 + 30 * DAY, maxAgeSec: 30 * 86_400 })
    expect(again).toMatchObject({ rotated: false, reason: 'fresh', ageMs: 0, addedStandby: undefined })
    expect((await readManifest(dir)).keys).toHaveLength(3)
  })

  it('run concurrently under the keys-directory lock, rotates once; without it, twice', async () => {
    await rotateKeys({ dir, now: T0 })
    const now = T0 + 31 * DAY
    const opts = { dir, now, maxAgeSec: 30 * 86_400 }
    const clock = () => now
    const locked = await Promise.all(
      [1, 2, 3].map(() => withKeysDirLock({ dir, clock }, () => rotateIfOlder(opts))),
    )
    expect(locked.filter((r) => r.rotated)).toHaveLength(1)
    // The control: the same runs with no lock interleave their reads and writes.
    const unlocked = await Promise.all([1, 2].map(() => rotateIfOlder({ ...opts, now: now + 31 * DAY })))
    expect(unlocked.filter((r) => r.rotated)).toHaveLength(2)
  })

  it('counts a key scheduled to sign later as the rotation, and adds a missing standby', async () => {
    await generateKey({ dir, now: T0 - 40 * DAY })
    const scheduled = await generateKey({ dir, now: T0 })
    const r = await rotateIfOlder({ dir, now: T0 + MIN, maxAgeSec: 30 * 86_400 })
    expect(r).toMatchObject({ rotated: false, reason: 'scheduled', kid: scheduled.entry.kid })
    if (r.rotated) throw new Error('unreachable')
    expect(r.addedStandby?.standby).toBe(true)
  })
})
