import { generateKeyPairSync } from 'node:crypto'
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { KeyError } from '../errors.ts'
import { generateKey } from './generate-key.ts'
import { readManifest, writeManifest } from './key-manifest.ts'
import { createKeyRing } from './key-ring.ts'
import { keyScheduleSpanAt } from './key-schedule.ts'
import { pruneKeys } from './prune-keys.ts'
import { publicJwkOf } from './public-jwk.ts'
import { retireKey } from './retire-key.ts'

// The real schedule, counted: the ring must compute it once per span, not once per signature.
vi.mock('./key-schedule.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('./key-schedule.ts')>()
  return { ...actual, keyScheduleSpanAt: vi.fn(actual.keyScheduleSpanAt) }
})

const T0 = Date.parse('2026-03-01T12:00:00.000Z')
const MIN = 60_000
let dir: string
let now: number
const clock = () => now

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-keys-'))
  now = T0
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function expectRefusal(pattern: RegExp): Promise<KeyError> {
  const err = await createKeyRing({ dir, clock }).then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(KeyError)
  expect((err as KeyError).message).toMatch(pattern)
  return err as KeyError
}

describe('createKeyRing', () => {
  it('signs with the current key and publishes next, current and previous', async () => {
    const a = await generateKey({ dir, now })
    expect(a.activatedNow).toBe(true)
    now += 5 * MIN
    const b = await generateKey({ dir, now })
    expect(b.activatedNow).toBe(false)
    const ring = await createKeyRing({ dir, clock })

    expect(ring.signingKey(now).kid).toBe(a.entry.kid)
    expect(ring.jwks(now).keys.map((k) => k.kid)).toEqual([a.entry.kid, b.entry.kid])
    for (const jwk of ring.jwks(now).keys) {
      expect(jwk).not.toHaveProperty('d')
      expect(jwk).toMatchObject({ alg: 'RS256', use: 'sig', kty: 'RSA' })
    }
    const activation = Date.parse(b.entry.activateAt)
    expect(activation).toBe(now + 15 * MIN)
    expect(ring.signingKey(activation - 1).kid).toBe(a.entry.kid)
    expect(ring.signingKey(activation).kid).toBe(b.entry.kid)
    // The replaced key stays published for retireAfterSec (16 minutes by default), then leaves.
    expect(ring.jwks(activation + 16 * MIN - 1).keys).toHaveLength(2)
    expect(ring.jwks(activation + 16 * MIN).keys.map((k) => k.kid)).toEqual([b.entry.kid])
  })

  it('throws a KeyError naming the fix when no key is current', async () => {
    const ring = await createKeyRing({ dir, clock })
    expect(ring.jwks(now).keys).toEqual([])
    expect(() => ring.signingKey(now)).toThrow(/genkeys --now/)
  })

  it('refuses a private key readable by group or others', async () => {
    const { entry } = await generateKey({ dir, now })
    await chmod(join(dir, entry.file), 0o640)
    const err = await expectRefusal(/readable by group or others \(mode 640\); run `chmod 600/)
    expect(err.file).toBe(join(dir, entry.file))
  })

  it('refuses an RSA key under 2048 bits', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const { kid } = await publicJwkOf(privateKey, 'RS256')
    const file = `${kid}.pem`
    await writeFile(join(dir, file), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    await writeManifest(dir, {
      version: 1,
      retireAfterSec: 960,
      publishLeadSec: 900,
      keys: [
        {
          kid,
          alg: 'RS256',
          file,
          createdAt: new Date(now).toISOString(),
          activateAt: new Date(now).toISOString(),
        },
      ],
    })
    await expectRefusal(/RSA-1024; at least 2048 bits are required/)
  })

  it('refuses a key whose thumbprint does not match its manifest entry', async () => {
    const a = await generateKey({ dir, now })
    const b = await generateKey({ dir, now })
    await copyFile(join(dir, b.entry.file), join(dir, a.entry.file))
    await expectRefusal(new RegExp(`has thumbprint ${b.entry.kid} but the manifest says ${a.entry.kid}`))
  })

  it('refuses a missing key file, a key of the wrong type, and a broken manifest', async () => {
    const a = await generateKey({ dir, now })
    await rm(join(dir, a.entry.file))
    await expectRefusal(/is missing but the manifest lists kid/)

    await rm(dir, { recursive: true })
    const ec = await generateKey({ dir, now, alg: 'ES256' })
    const m = await readManifest(dir)
    m.keys[0] = { ...ec.entry, alg: 'RS256' }
    await writeManifest(dir, m)
    await expectRefusal(/is a ec key but the manifest says RS256/)

    await writeFile(join(dir, 'keyset.json'), '{ not json')
    await expectRefusal(/keyset.json: is not valid JSON/)
  })

  it('reloads at run time, and keeps the last good set when the directory goes bad', async () => {
    const a = await generateKey({ dir, now })
    const ring = await createKeyRing({ dir, clock })
    now += 1
    const b = await generateKey({ dir, now, immediate: true })
    expect(ring.signingKey(now).kid).toBe(a.entry.kid)
    await ring.reload()
    expect(ring.signingKey(now).kid).toBe(b.entry.kid)

    await chmod(join(dir, b.entry.file), 0o644)
    await expect(ring.reload()).rejects.toThrow(KeyError)
    expect(ring.signingKey(now).kid).toBe(b.entry.kid)
  })

  it('signs with ES256 and EdDSA keys as well', async () => {
    const es = await generateKey({ dir, now, alg: 'ES256' })
    const ring = await createKeyRing({ dir, clock })
    expect(ring.signingKey(now)).toMatchObject({ kid: es.entry.kid, alg: 'ES256' })
    now += 1
    const ed = await generateKey({ dir, now, alg: 'EdDSA', immediate: true })
    await ring.reload()
    expect(ring.signingKey(now)).toMatchObject({ kid: ed.entry.kid, alg: 'EdDSA' })
  })

  it('rejects RSA sizes outside 2048, 3072 and 4096', async () => {
    await expect(generateKey({ dir, now, bits: 1024 })).rejects.toThrow(
      /--bits: must be one of 2048, 3072, 4096/,
    )
  })
})

describe('the schedule the key ring keeps', () => {
  it('promotes at activateAt and retires after retireAfter without a reload, computing once per span', async () => {
    const a = await generateKey({ dir, now })
    now += 5 * MIN
    const b = await generateKey({ dir, now })
    const ring = await createKeyRing({ dir, clock })
    const activation = Date.parse(b.entry.activateAt)
    const retirement = activation + 16 * MIN
    const kids = () => ring.jwks(clock()).keys.map((k) => k.kid)
    const computed = vi.mocked(keyScheduleSpanAt)
    computed.mockClear()

    for (; now < activation; now += 1000) expect(ring.signingKey(clock()).kid).toBe(a.entry.kid)
    now = activation - 1
    expect(ring.signingKey(clock()).kid).toBe(a.entry.kid)
    expect(kids()).toEqual([a.entry.kid, b.entry.kid])
    expect(computed).toHaveBeenCalledTimes(1)

    now = activation
    expect(ring.signingKey(clock()).kid).toBe(b.entry.kid)
    now = retirement - 1
    expect(kids()).toEqual([a.entry.kid, b.entry.kid])
    now = retirement
    expect(kids()).toEqual([b.entry.kid])
    for (let i = 0; i < 100; i++, now += MIN) expect(ring.signingKey(clock()).kid).toBe(b.entry.kid)
    expect(computed).toHaveBeenCalledTimes(3)

    // An instant before the kept span (another caller's clock) is answered for that instant.
    expect(ring.signingKey(activation - 1).kid).toBe(a.entry.kid)
    expect(computed).toHaveBeenCalledTimes(4)
  })

  it('notices a rewritten manifest with one stat, once per change, also when it fails to load', async () => {
    const a = await generateKey({ dir, now })
    const ring = await createKeyRing({ dir, clock })
    expect(await ring.manifestChanged()).toBe(false)
    const b = await generateKey({ dir, now: now + 1, immediate: true })
    expect(await ring.manifestChanged()).toBe(true)
    expect(ring.signingKey(now + 2).kid).toBe(a.entry.kid) // noticing is not reloading
    await ring.reload()
    expect(ring.signingKey(now + 2).kid).toBe(b.entry.kid)
    expect(await ring.manifestChanged()).toBe(false)
    await writeFile(join(dir, 'keyset.json'), '{not json')
    expect(await ring.manifestChanged()).toBe(true)
    await expect(ring.reload()).rejects.toThrow(KeyError)
    expect(await ring.manifestChanged()).toBe(false)
  })

  it('forgets the kept schedule on reload', async () => {
    const a = await generateKey({ dir, now })
    const ring = await createKeyRing({ dir, clock })
    expect(ring.signingKey(clock()).kid).toBe(a.entry.kid)
    now += 1
    const b = await generateKey({ dir, now, immediate: true })
    expect(ring.signingKey(clock()).kid).toBe(a.entry.kid)
    await ring.reload()
    expect(ring.signingKey(clock()).kid).toBe(b.entry.kid)
    expect(ring.schedule(clock()).map((s) => s.state)).toEqual(['previous', 'current'])
  })
})

describe('pruneKeys and retireKey', () => {
  it('prunes only retired keys, file and entry', async () => {
    const a = await generateKey({ dir, now })
    const b = await generateKey({ dir, now })
    const activation = Date.parse(b.entry.activateAt)
    expect(await pruneKeys(dir, activation + 16 * MIN - 1)).toEqual([])
    expect(await pruneKeys(dir, activation + 16 * MIN)).toEqual([a.entry.kid])
    expect((await readManifest(dir)).keys.map((k) => k.kid)).toEqual([b.entry.kid])
    await expect(readFile(join(dir, a.entry.file))).rejects.toThrow(/ENOENT/)
  })

  it('retires a compromised key at once, but never the one that signs', async () => {
    const a = await generateKey({ dir, now })
    await expect(retireKey(dir, a.entry.kid, now)).rejects.toThrow(
      /signs now; run `pnpm genkeys --now` first/,
    )
    const b = await generateKey({ dir, now: now + 1, immediate: true })
    await retireKey(dir, a.entry.kid, now + 2)
    const ring = await createKeyRing({ dir, clock: () => now + 2 })
    expect(ring.jwks(now + 2).keys.map((k) => k.kid)).toEqual([b.entry.kid])
    await expect(retireKey(dir, 'x'.repeat(43), now)).rejects.toThrow(/no key with kid/)
  })
})
