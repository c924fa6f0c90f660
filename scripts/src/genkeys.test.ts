import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { calculateJwkThumbprint, exportJWK } from 'jose'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

const run = promisify(execFile)
const script = fileURLToPath(new URL('./genkeys.ts', import.meta.url))
let dir: string

function genkeys(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, KEYS_DIR: dir },
  })
}

async function genkeysFails(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await genkeys(...args)
  } catch (err) {
    const e = err as { code: number; stderr: string }
    return { code: e.code, stderr: e.stderr }
  }
  throw new Error('genkeys succeeded but should have failed')
}

/** A manifest as genkeys wrote it before standbys: one current key. */
async function writeManifestOfOneKey(): Promise<void> {
  await genkeys()
  const m = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
  const [current, standby] = m.keys
  m.keys = [current]
  await writeFile(join(dir, 'keyset.json'), JSON.stringify(m))
  await rm(join(dir, standby.file))
}

/** Moves every key's instants `days` into the past, as if created that long ago. */
async function ageKeys(days: number): Promise<void> {
  await genkeys()
  const m = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
  const back = (iso: string) => new Date(Date.parse(iso) - days * 86_400_000).toISOString()
  for (const k of m.keys) {
    k.createdAt = back(k.createdAt)
    if (!k.standby) k.activateAt = back(k.activateAt)
  }
  await writeFile(join(dir, 'keyset.json'), JSON.stringify(m))
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tokensmith-genkeys-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('pnpm genkeys', () => {
  it('creates a current key and a standby, then rotates to the standby after the lead, with 0600 files and a readable list', async () => {
    const first = await genkeys()
    expect(first.stdout).toMatch(/No key was signing, so it signs from now/)
    expect(first.stdout).toMatch(/Created standby RS256 key \S+ in .* \(mode 0600\): published now/)
    const second = await genkeys()
    expect(second.stdout).toMatch(/Promoted RS256 key \S+: it signs from .* \(after the 15m publish lead\)/)

    const manifest = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    expect(manifest).toMatchObject({ version: 1, publishLeadSec: 900, retireAfterSec: 960 })
    expect(manifest.keys).toHaveLength(3)
    for (const k of manifest.keys) {
      expect(k.alg).toBe('RS256')
      expect(k.file).toBe(`${k.kid}.pem`)
      const mode = (await stat(join(dir, k.file))).mode & 0o777
      expect(mode).toBe(0o600)
      expect(await readFile(join(dir, k.file), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/)
    }
    const [a, b, c] = manifest.keys
    expect(b.standby).toBeUndefined()
    expect(Date.parse(b.activateAt) - Date.parse(b.createdAt)).toBe(900_000)
    expect(c).toMatchObject({ standby: true, activateAt: '9999-12-31T23:59:59.999Z' })

    const { stdout } = await genkeys('--list')
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^KID\s+ALG\s+STATE\s+ACTIVATES\s+RETIRES$/)
    expect(lines[1]).toMatch(
      new RegExp(`^${a.kid}\\s+RS256\\s+current\\s+\\S+ \\(\\d+s ago\\)\\s+\\S+ \\(in 3[01]m`),
    )
    expect(lines[2]).toMatch(new RegExp(`^${b.kid}\\s+RS256\\s+next\\s+\\S+ \\(in 1[45]m.*\\)\\s+-$`))
    expect(lines[3]).toMatch(new RegExp(`^${c.kid}\\s+RS256\\s+next\\s+standby: on promotion\\s+-$`))
    expect(lines[4]).toBe('publish lead 15m, retire after 16m')
  })

  it('supports --alg, --bits, --now, --publish-lead and --retire-after; --now promotes the standby', async () => {
    await genkeys('--alg', 'ES256', '--publish-lead', '20m', '--retire-after', '1h')
    const before = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    const standby = before.keys[1]
    expect(standby).toMatchObject({ alg: 'ES256', standby: true })
    const out = await genkeys('--bits', '3072', '--now')
    expect(out.stdout).toMatch(new RegExp(`Promoted ES256 key ${standby.kid}: it signs from now`))
    // Published a moment ago, less than the lead: said plainly.
    expect(out.stdout).toMatch(/warning: that is less than the 20m publish lead/)
    const manifest = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    expect(manifest).toMatchObject({ publishLeadSec: 1200, retireAfterSec: 3600 })
    expect(manifest.keys.map((k: { alg: string }) => k.alg)).toEqual(['ES256', 'ES256', 'RS256'])
    const list = (await genkeys('--list')).stdout
    expect(list).toMatch(/ES256\s+previous/)
    expect(list).toMatch(new RegExp(`${standby.kid}\\s+ES256\\s+current`))
    expect(list).toMatch(/RS256\s+next\s+standby: on promotion/)
  })

  it('--now refuses a manifest with no published key to promote, with exit 2 and the way out', async () => {
    await writeManifestOfOneKey()
    expect(await genkeysFails('--now')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/has no published key to promote.*run `pnpm genkeys`/),
    })
  })

  it('--rotate-if-older rotates once, says so, and exits 0 either way', async () => {
    await genkeys()
    const young = await genkeys('--rotate-if-older', '30d')
    expect(young.stdout).toMatch(/^not rotated: current key \S+ is 0 days old \(\d+s; rotates at 30d\)\n$/)
    const old = await genkeys('--rotate-if-older', '0s')
    expect(old.stdout).toMatch(/^rotated: \S+ signs from \S+; standby \S+\n/)
    expect(await genkeysFails('--rotate-if-older', 'monthly')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--rotate-if-older must be seconds or a duration/),
    })
  })

  it('three --rotate-if-older runs at once, from cron on three instances, rotate exactly once', async () => {
    await ageKeys(31)
    const runs = await Promise.all([1, 2, 3].map(() => genkeys('--rotate-if-older', '30d')))
    const outs = runs.map((r) => r.stdout)
    expect(outs.filter((o) => o.startsWith('rotated: '))).toHaveLength(1)
    expect(outs.filter((o) => o.startsWith('not rotated: current key '))).toHaveLength(2)
    const manifest = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    expect(manifest.keys).toHaveLength(3)
    expect(manifest.keys.filter((k: { standby?: true }) => k.standby)).toHaveLength(1)
    expect((await readdir(dir)).filter((f) => f.endsWith('.pem'))).toHaveLength(3)
    expect(await readdir(dir)).not.toContain('.genkeys.lock')
  })

  it('exits 3 when another genkeys keeps the directory locked', async () => {
    await genkeys()
    const { hostname } = await import('node:os')
    await writeFile(
      join(dir, '.genkeys.lock'),
      JSON.stringify({ pid: process.pid, host: hostname(), at: Date.now(), nonce: 'test' }),
    )
    const started = Date.now()
    const { code, stderr } = await genkeysFails('--rotate-if-older', '0s', '--lock-wait', '2s')
    expect(code).toBe(3)
    expect(stderr).toMatch(/\.genkeys\.lock: is held by pid \d+/)
    expect(Date.now() - started).toBeGreaterThan(2000) // it waited for the holder first
    expect(await genkeysFails('--lock-wait', 'long')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--lock-wait must be seconds/),
    })
  })

  it('prunes nothing while keys are published, and says so', async () => {
    await genkeys()
    expect((await genkeys('--prune')).stdout).toBe('No retired keys to prune.\n')
    expect((await readdir(dir)).filter((f) => f.endsWith('.pem'))).toHaveLength(2) // current and standby
  })

  it('--retire KID unpublishes a key at once, also a kid starting with - (base64url), and refuses the key that signs', async () => {
    await genkeys()
    const m = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    const [current, standby] = m.keys
    // A kid is an RFC 7638 thumbprint (base64url), so about one in 64 starts with '-': the standby
    // is replaced by such a key (P-256, quick to make), written as genkeys writes keys.
    let kid = ''
    let pem = ''
    while (!kid.startsWith('-')) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      kid = await calculateJwkThumbprint(await exportJWK(pair.publicKey))
      pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    }
    await writeFile(join(dir, `${kid}.pem`), pem, { mode: 0o600 })
    Object.assign(standby, { kid, alg: 'ES256', file: `${kid}.pem` })
    await writeFile(join(dir, 'keyset.json'), JSON.stringify(m))
    const out = await genkeys('--retire', kid)
    expect(out.stdout).toContain(`Key ${kid} is retired: no longer published.`)
    const after = JSON.parse(await readFile(join(dir, 'keyset.json'), 'utf8'))
    expect(after.keys[1]).toMatchObject({ kid, retiredAt: expect.any(String) })
    expect((await genkeys('--list')).stdout).toMatch(new RegExp(`${kid}\\s+ES256\\s+retired`))
    expect(await genkeysFails('--retire', current.kid)).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('signs now; run `pnpm genkeys --now` first'),
    })
    expect(await genkeysFails('--retire=no-such-kid')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no key with kid no-such-kid'),
    })
  })

  it('refuses bad flags with a message naming them', async () => {
    expect(await genkeysFails('--alg', 'HS256')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--alg must be one of/),
    })
    expect(await genkeysFails('--bits', '1024')).toMatchObject({
      stderr: expect.stringMatching(/--bits: must be one of/),
    })
    expect(await genkeysFails('--alg', 'ES256', '--bits', '3072')).toMatchObject({
      stderr: expect.stringMatching(/--bits applies to RS256 only/),
    })
    expect(await genkeysFails('--publish-lead', 'soon')).toMatchObject({
      stderr: expect.stringMatching(/--publish-lead must be seconds/),
    })
    expect(await genkeysFails('--bogus')).toMatchObject({
      stderr: expect.stringMatching(/Unknown option '--bogus'/),
    })
  })
})
